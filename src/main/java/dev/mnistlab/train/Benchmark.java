package dev.mnistlab.train;

import dev.mnistlab.Folders;
import dev.mnistlab.MnistlabException;
import dev.mnistlab.data.MnistData;
import dev.mnistlab.data.Split;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Times the real training path (augmentation, batches, forward, backward, step, evaluation) on a fixed
 * amount of work: two epochs over the first {@code images} training images, the second one measured so
 * JIT and allocator warm-up stay out of the numbers. Each epoch evaluates on the test set
 * {@value #EVAL_PASSES} times over: one pass of 10,000 images takes about a second, too short to time on a
 * machine whose speed drifts by the second.
 */
public final class Benchmark {

    /**
     * One measurement of one network, named by its trainable parameter count. Seconds per epoch are
     * extrapolated to the full 60,000-image training set.
     */
    public record Measurement(double trainImagesPerSecond, double evalImagesPerSecond, double secondsPerEpoch,
                              double gflops, long flopsPerImage, long trainableParameters) {}

    /** How many times over the test set each epoch's timed evaluation runs (the PyTorch reference does the same). */
    public static final int EVAL_PASSES = 3;

    private Benchmark() {}

    /** Runs the benchmark: {@code experiment} for two epochs, whatever its recipe says. */
    public static Measurement run(Experiment experiment, MnistData data, int images) {
        Experiment e = experiment.withRecipe(experiment.recipe().withEpochs(2));
        MnistData limited = data.limitTrain(images);
        MnistData subset = new MnistData(limited.train(), repeated(limited.test(), EVAL_PASSES), limited.directory(),
                limited.trainLimit());
        Path dir;
        try {
            dir = Files.createTempDirectory("mnistlab-bench");
        } catch (IOException ex) {
            throw new MnistlabException("cannot create a temporary folder (" + ex.getMessage() + ")");
        }
        try {
            Training.Result result = new Training(e, subset, RunFolder.create(dir.resolve("run"), "bench", false)).run();
            Training.Timing t = result.timings().get(result.timings().size() - 1);
            long flops = 3 * e.spec().trace().forwardFlops(); // backward costs about twice the forward pass
            double trainRate = t.trainImages() / t.trainSeconds();
            return new Measurement(trainRate, t.evalImages() / t.evalSeconds(), 60_000 / trainRate,
                    flops * trainRate / 1e9, flops, e.spec().trace().trainableParameters());
        } finally {
            Folders.deleteQuietly(dir);
        }
    }

    /** {@code split}'s images and labels {@code times} times in a row, under its name. */
    static Split repeated(Split split, int times) {
        byte[] pixels = new byte[split.pixels().length * times];
        byte[] labels = new byte[split.count() * times];
        for (int t = 0; t < times; t++) {
            System.arraycopy(split.pixels(), 0, pixels, t * split.pixels().length, split.pixels().length);
            System.arraycopy(split.labels(), 0, labels, t * split.count(), split.count());
        }
        return new Split(split.name(), pixels, labels, split.count() * times, split.rows(), split.cols());
    }

    /** A peak estimate: GFLOP/s (0 where unknown) and how it was computed. */
    public record Peak(double gflops, String text) {}

    /**
     * A rough single-precision peak: cores x clock x FLOPs per cycle (two FMA units: 32 with AVX2, 64 with
     * AVX-512, 8 otherwise), read from /proc/cpuinfo. An estimate for scale, not a measurement.
     */
    public static Peak peak(int cores) {
        try {
            String info = Files.readString(Path.of("/proc/cpuinfo"));
            double mhz = info.lines().filter(l -> l.startsWith("cpu MHz")).findFirst()
                    .map(l -> Double.parseDouble(l.substring(l.indexOf(':') + 1).trim())).orElse(0.0);
            String flags = cpuFlags(info);
            int perCycle = flags.contains(" avx512f") ? 64 : flags.contains(" avx2") && flags.contains(" fma") ? 32 : 8;
            double gflops = cores * mhz / 1000 * perCycle;
            return new Peak(gflops, String.format(Locale.ROOT, "%d core(s) x %.2f GHz x %d FLOP/cycle = %.1f GFLOP/s",
                    cores, mhz / 1000, perCycle, gflops));
        } catch (IOException | RuntimeException ex) {
            return new Peak(0, "unknown (no /proc/cpuinfo)");
        }
    }

    /** Whether this CPU has AVX-512 (/proc/cpuinfo's avx512f flag; false where that file is missing); for the tests. */
    static boolean hasAvx512() {
        try {
            return cpuFlags(Files.readString(Path.of("/proc/cpuinfo"))).contains(" avx512f");
        } catch (IOException ex) {
            return false;
        }
    }

    /** The first "flags" line of /proc/cpuinfo's text, or "". */
    private static String cpuFlags(String cpuinfo) {
        return cpuinfo.lines().filter(l -> l.startsWith("flags")).findFirst().orElse("");
    }
}
