package dev.mnistlab.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mnistlab.Folders;
import dev.mnistlab.MnistlabException;
import dev.mnistlab.data.MnistData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Times the real training path (augmentation, batches, forward, backward, step, evaluation) on a fixed
 * amount of work: two epochs over the first {@code images} training images, the second one measured so
 * JIT and allocator warm-up stay out of the numbers.
 */
public final class Benchmark {

    /** One measurement. Seconds per epoch are extrapolated to the full 60,000-image training set. */
    public record Measurement(double trainImagesPerSecond, double evalImagesPerSecond, double secondsPerEpoch,
                              double gflops, long flopsPerImage) {}

    private Benchmark() {}

    /** Runs the benchmark: {@code experiment} for two epochs, whatever its recipe says. */
    public static Measurement run(Experiment experiment, MnistData data, int images) {
        Experiment e = experiment.withRecipe(experiment.recipe().withEpochs(2));
        MnistData subset = data.limitTrain(images);
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
                    flops * trainRate / 1e9, flops);
        } finally {
            Folders.deleteQuietly(dir);
        }
    }

    /**
     * The same measurement in PyTorch: {@code bench/pytorch_reference.py} run by {@code python} (with torch and
     * torchvision) on {@code batches} batches, {@code threads} threads, the MNIST files in {@code dataDir}. The
     * script sits beside target/, where the launcher runs the jar from.
     */
    public static Measurement pytorch(Experiment experiment, int batches, int threads, Path dataDir, String python) {
        Path script = repoFile("bench/pytorch_reference.py");
        List<String> command = List.of(python, script.toString(), "--max-batches", Integer.toString(batches + 10),
                "--threads", Integer.toString(threads), "--workers", "1", "--aug-backend", "pil",
                "--data-dir", dataDir.toAbsolutePath().toString());
        String out;
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new MnistlabException("the PyTorch reference failed (" + String.join(" ", command) + "): "
                        + out.lines().reduce((a, b) -> b).orElse("no output"));
            }
        } catch (IOException e) {
            throw new MnistlabException("cannot run " + python + " (" + e.getMessage() + "); install python3-torch or pass --python");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MnistlabException("interrupted while the PyTorch reference ran");
        }
        String line = out.lines().filter(l -> l.startsWith("RESULT ")).reduce((a, b) -> b)
                .orElseThrow(() -> new MnistlabException("the PyTorch reference printed no RESULT line"));
        JsonNode result;
        try {
            result = new ObjectMapper().readTree(line.substring("RESULT ".length()));
        } catch (IOException e) {
            throw new MnistlabException("the PyTorch reference printed an unreadable RESULT line: " + line);
        }
        long flops = 3 * experiment.spec().trace().forwardFlops();
        double rate = result.get("train_images_per_s").asDouble();
        return new Measurement(rate, result.get("eval_images_per_s").asDouble(), result.get("seconds_per_epoch").asDouble(),
                flops * rate / 1e9, flops);
    }

    private static Path repoFile(String name) {
        try {
            Path jar = Path.of(Benchmark.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path dir = jar; dir != null; dir = dir.getParent()) {
                if (Files.exists(dir.resolve(name))) {
                    return dir.resolve(name);
                }
            }
        } catch (java.net.URISyntaxException ignored) {
            // fall through to the working directory
        }
        Path here = Path.of(name);
        if (!Files.exists(here)) {
            throw new MnistlabException(name + " not found; run from the mnistlab repository");
        }
        return here;
    }

    /**
     * A rough single-precision peak: cores x clock x FLOPs per cycle (two FMA units: 32 with AVX2, 64 with
     * AVX-512, 8 otherwise), read from /proc/cpuinfo. An estimate for scale, not a measurement.
     */
    /** A peak estimate: GFLOP/s (0 where unknown) and how it was computed. */
    public record Peak(double gflops, String text) {}

    public static Peak peak(int cores) {
        try {
            String info = Files.readString(Path.of("/proc/cpuinfo"));
            double mhz = info.lines().filter(l -> l.startsWith("cpu MHz")).findFirst()
                    .map(l -> Double.parseDouble(l.substring(l.indexOf(':') + 1).trim())).orElse(0.0);
            String flags = info.lines().filter(l -> l.startsWith("flags")).findFirst().orElse("");
            int perCycle = flags.contains(" avx512f") ? 64 : flags.contains(" avx2") && flags.contains(" fma") ? 32 : 8;
            double gflops = cores * mhz / 1000 * perCycle;
            return new Peak(gflops, String.format(Locale.ROOT, "%d core(s) x %.2f GHz x %d FLOP/cycle = %.1f GFLOP/s",
                    cores, mhz / 1000, perCycle, gflops));
        } catch (IOException | RuntimeException ex) {
            return new Peak(0, "unknown (no /proc/cpuinfo)");
        }
    }
}
