package dev.mnistlab.model;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.LibUtils;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import dev.mnistlab.MnistlabException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BooleanSupplier;

/**
 * Makes libtorch zero every CPU buffer it allocates, for the whole process. oneDNN 3.7.1 (inside libtorch
 * 2.7.1, on AVX-512) pads a convolution's weights to a multiple of 16 channels in a fresh buffer and never
 * writes the padding: for the input gradient of a conv to 9 or 10 channels, and in the forward pass of convs
 * such as 24 to 56 channels on 7x7 or 18 to 10 on 6x6 (write-ups 000 and 002). The padding only meets zeros,
 * so leftovers that read as finite floats add exactly nothing, but leftovers that read as NaN or infinity
 * make whole channels NaN: training diverged, and evaluation reported a NaN loss and chance accuracy, at a
 * step the heap's history chose (bench/PaddedWeightsProbe.java). With libtorch's own switch
 * {@code caffe2_cpu_allocator_do_zero_fill} the padding is zero, as oneDNN assumes, and results that were
 * finite keep their digits. It is on from the moment {@link ModelBuilder} builds a network, so training,
 * evaluation, prediction and serving all run on zeroed memory; the price is a memset per new buffer. Turning
 * it on only around training steps left evaluation open to the forward-pass case.
 *
 * <p>That memset costs a training step of the separable presets 10-15% (bench/ZeroFillProbe.java), and most networks
 * never read unwritten memory. {@link #offIfNeverRead} lets a training prove that for its network: it runs the
 * network's passes while every new buffer holds NaN, and only when all come out finite does zeroing go off.
 * Finite leftovers add exactly nothing, so the digits are the same either way. Whatever builds or runs another
 * network turns zeroing on again ({@link #turnOn}), and {@link #computing} keeps a proof's NaN-filled memory
 * away from networks computing on other threads.
 */
public final class ZeroedTorchMemory {

    static final String ZERO_FILL = "FLAGS_caffe2_cpu_allocator_do_zero_fill";
    /** libtorch's debugging aid: new buffers filled with a NaN pattern. c10 aborts when both fills are on. */
    static final String JUNK_FILL = "FLAGS_caffe2_cpu_allocator_do_junk_fill";

    private static final Map<String, Pointer> FLAGS = new HashMap<>();
    /** Shared while a network computes; a proof, which fills new memory with NaN, needs it alone. */
    private static final ReentrantReadWriteLock NETWORKS = new ReentrantReadWriteLock();

    private ZeroedTorchMemory() {}

    /** From now on every new libtorch CPU buffer is zeroed (and junk fill, a test's tool, is off). */
    public static void turnOn() {
        setFlag(JUNK_FILL, false); // c10 aborts when both fills are on
        setFlag(ZERO_FILL, true);
    }

    /** Whether libtorch zeroes every new CPU buffer now. */
    public static synchronized boolean zeroing() {
        return FLAGS.computeIfAbsent(ZERO_FILL, ZeroedTorchMemory::address).getByte(0) != 0;
    }

    /**
     * Held while a network computes (a training's epochs, a trained model's forward pass), so that no proof
     * fills new memory with NaN under it. Close it when done.
     */
    public static Computing computing() {
        Lock shared = NETWORKS.readLock();
        shared.lock();
        return shared::unlock;
    }

    /** A network computing; {@link #close} when it is done. */
    public interface Computing extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Runs {@code passes} (a network's passes at every batch size it will compute, returning whether all results
     * were finite) with every new buffer filled with NaN. If they were, the network reads no memory libtorch has
     * not written, and zeroing goes off until the next {@link #turnOn}; otherwise it stays on. While another
     * thread is {@link #computing}, no proof runs and zeroing stays on.
     *
     * @return whether zeroing is now off
     */
    public static boolean offIfNeverRead(BooleanSupplier passes) {
        Lock alone = NETWORKS.writeLock();
        if (!alone.tryLock()) {
            return false;
        }
        boolean finite = false;
        try {
            junkFill();
            finite = passes.getAsBoolean();
        } finally {
            setFlag(JUNK_FILL, false);
            setFlag(ZERO_FILL, !finite);
            alone.unlock();
        }
        return finite;
    }

    /**
     * For tests: every new buffer holds libtorch's NaN pattern, until {@link #turnOn()} (or the next network
     * built). A path that runs a network without zeroed memory then gives NaN at once, not at a step the heap
     * chooses.
     */
    public static void junkFillForTests() {
        junkFill();
    }

    private static void junkFill() {
        setFlag(ZERO_FILL, false); // c10 aborts when both fills are on
        setFlag(JUNK_FILL, true);
    }

    /** Sets one of the allocator's flags, bools that libc10 exports (looked up once, then written directly). */
    private static synchronized void setFlag(String flag, boolean on) {
        FLAGS.computeIfAbsent(flag, ZeroedTorchMemory::address).setByte(0, (byte) (on ? 1 : 0));
    }

    private static Pointer address(String flag) {
        Engine.getEngine("PyTorch"); // loads libtorch, whose folder LibUtils then knows
        Path c10 = Path.of(LibUtils.getLibtorchPath(), System.mapLibraryName("c10"));
        try {
            return NativeLibrary.getInstance(c10.toString()).getGlobalVariableAddress(flag);
        } catch (UnsatisfiedLinkError e) {
            throw new MnistlabException(c10 + " has no " + flag + "; mnistlab needs libtorch 2.7.1 as shipped with DJL 0.36", e);
        }
    }
}
