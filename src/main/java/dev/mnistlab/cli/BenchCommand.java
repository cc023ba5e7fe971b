package dev.mnistlab.cli;

import dev.mnistlab.MnistlabException;
import dev.mnistlab.api.Experiment;
import dev.mnistlab.api.Mnistlab;
import dev.mnistlab.train.Benchmark;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure training and evaluation speed on a fixed amount of work (optionally against PyTorch).")
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--preset", description = "Preset to train (default seed003, with its augmentation).")
    String preset = "seed003";

    @Option(names = "--batches", description = "Training batches per measured epoch (default 100).")
    int batches = 100;

    @Option(names = "--threads", description = "Native compute threads, for both frameworks (default 1).")
    int threads = 1;

    @Option(names = "--repeats", description = "Measurements per framework, interleaved (default 3).")
    int repeats = 3;

    @Option(names = "--against-pytorch", description = "Also run bench/pytorch_reference.py with Debian's python3-torch: "
            + "the preset's own network (its exported model.py) trained with its recipe; refused when the script cannot "
            + "build either (augmentation needs torchvision).")
    boolean againstPytorch;

    @Option(names = "--python", description = "Python with torch, and torchvision for a recipe that augments (default /usr/bin/python3).")
    String python = "/usr/bin/python3";

    @Mixin
    DataDirOption dataDir = new DataDirOption();

    @Override
    public Integer call() throws Exception {
        Checks.positive("--repeats", repeats);
        Checks.positive("--threads", threads);
        if (batches < 2) {
            throw new MnistlabException("--batches must be >= 2 (got " + batches + ")");
        }
        Experiment probe = Experiment.preset(preset);
        int images = batches * probe.recipe().batchSize();
        if (againstPytorch) {
            Mnistlab.checkPytorchReference(probe, python); // before minutes of measuring, not after
        }
        Benchmark.Peak peak = Mnistlab.peakEstimate(threads);
        System.out.printf(Locale.ROOT, "bench: %s (%,d trainable params), batch %d, %d training images per measured epoch, %d thread(s)%n",
                preset, probe.model().parameters(), probe.recipe().batchSize(), images, threads);
        System.out.println("peak estimate: " + peak.text());

        List<double[]> ours = new ArrayList<>();
        List<double[]> theirs = new ArrayList<>();
        long oursParams = 0;
        long theirsParams = 0;
        for (int r = 1; r <= repeats; r++) {
            Benchmark.Measurement m = Mnistlab.bench(probe, images, threads, dataDir.dir);
            ours.add(new double[] {m.trainImagesPerSecond(), m.evalImagesPerSecond(), m.secondsPerEpoch(), m.gflops()});
            oursParams = m.trainableParameters();
            System.out.printf(Locale.ROOT, "  mnistlab #%d: train %.0f img/s, eval %.0f img/s, %.1f s/epoch, %.2f GFLOP/s (%.1f MFLOP/image)%n",
                    r, m.trainImagesPerSecond(), m.evalImagesPerSecond(), m.secondsPerEpoch(), m.gflops(),
                    m.flopsPerImage() / 1e6);
            if (againstPytorch) {
                Benchmark.Measurement t = Mnistlab.benchPytorch(probe, batches, threads, dataDir.dir, python);
                theirs.add(new double[] {t.trainImagesPerSecond(), t.evalImagesPerSecond(), t.secondsPerEpoch(), t.gflops()});
                theirsParams = t.trainableParameters();
                System.out.printf(Locale.ROOT, "  PyTorch  #%d: train %.0f img/s, eval %.0f img/s, %.1f s/epoch, %.2f GFLOP/s "
                        + "(%s's network from its exported model.py, %,d trainable params)%n",
                        r, t.trainImagesPerSecond(), t.evalImagesPerSecond(), t.secondsPerEpoch(), t.gflops(), preset,
                        t.trainableParameters());
            }
        }
        System.out.println();
        System.out.printf("%-16s %10s %22s %12s %12s %10s %10s%n", "", "params", "train img/s min/median", "s/epoch",
                "eval img/s", "GFLOP/s", "% of peak");
        row("mnistlab", oursParams, ours, peak.gflops());
        if (againstPytorch) {
            row("PyTorch", theirsParams, theirs, peak.gflops());
            System.out.printf(Locale.ROOT, "ratio mnistlab / PyTorch (median training throughput): %.2fx%n",
                    median(ours, 0) / median(theirs, 0));
        }
        return 0;
    }

    private static void row(String name, long params, List<double[]> runs, double peak) {
        System.out.printf(Locale.ROOT, "%-16s %,10d %10.0f / %-9.0f %12.1f %12.0f %10.2f %9.1f%%%n", name, params, min(runs, 0),
                median(runs, 0), median(runs, 2), median(runs, 1), median(runs, 3), peak > 0 ? 100 * median(runs, 3) / peak : 0);
    }

    private static double min(List<double[]> runs, int column) {
        return runs.stream().mapToDouble(r -> r[column]).min().orElse(0);
    }

    private static double median(List<double[]> runs, int column) {
        double[] v = runs.stream().mapToDouble(r -> r[column]).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
