package dev.mnistlab.train;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.LibUtils;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import dev.mnistlab.MnistlabException;
import java.nio.file.Path;

/**
 * Makes libtorch zero every CPU buffer it allocates. For a convolution's input gradient, oneDNN 3.7.1
 * (inside libtorch 2.7.1) pads the weights to a multiple of 16 output channels (on AVX-512) in a fresh
 * buffer and never writes the padding of a layer with, say, 9 or 10 channels. The padding only meets the
 * zero padding of the output gradient, so leftovers that read as finite floats add exactly nothing, but
 * leftovers that read as NaN or infinity make whole channels of the input gradient NaN: runs diverged at
 * a step that the heap's history chose (bench/PaddedWeightsProbe.java). With libtorch's own switch
 * {@code caffe2_cpu_allocator_do_zero_fill} the padding is zero, as oneDNN assumes, and runs that stayed
 * finite keep their digits. The price is a memset per new buffer, so it is on only during training steps,
 * not during evaluation (always on, it cost 10% of a seed003 step and 30-50% of a frontier-8k step on one
 * thread). Around backward passes alone was not enough: buffers the backward pass reads can be allocated in
 * the forward pass, and write-up 002's skeleton still diverged to NaN in 2 of 14 runs.
 */
public final class ZeroedTorchMemory {

    static final String ZERO_FILL = "FLAGS_caffe2_cpu_allocator_do_zero_fill";
    /** libtorch's debugging aid: new buffers filled with a NaN pattern. c10 aborts when both fills are on. */
    static final String JUNK_FILL = "FLAGS_caffe2_cpu_allocator_do_junk_fill";

    private ZeroedTorchMemory() {}

    private static int openSteps;

    /**
     * Zero fill from now until the returned scope closes, and as long as any other thread's scope is open: for
     * a training step's forward and backward passes, the backward pass being the only place oneDNN reads memory
     * it never wrote. Evaluation allocates without the memset.
     */
    public static Scope trainingStep() {
        synchronized (ZeroedTorchMemory.class) {
            if (openSteps++ == 0) {
                setFlag(JUNK_FILL, false); // c10 aborts when both fills are on
                setFlag(ZERO_FILL, true);
            }
        }
        return () -> {
            synchronized (ZeroedTorchMemory.class) {
                if (--openSteps == 0) {
                    setFlag(ZERO_FILL, false);
                }
            }
        };
    }

    /** An open zero-fill scope; closing it cannot fail. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    private static final java.util.Map<String, Pointer> FLAGS = new java.util.HashMap<>();

    /** Sets one of the allocator's flags, bools that libc10 exports (looked up once, then written directly). */
    static synchronized void setFlag(String flag, boolean on) {
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
