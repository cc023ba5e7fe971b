package dev.mnistlab.search;

import dev.mnistlab.AtomicFiles;
import dev.mnistlab.MnistlabException;
import dev.mnistlab.train.ConstraintCheck;
import dev.mnistlab.train.EpochResult;
import dev.mnistlab.train.Experiment;
import dev.mnistlab.train.Recipe;
import dev.mnistlab.train.RunState;
import dev.mnistlab.train.TrainRequest;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.DoubleStream;

/**
 * Trains one experiment under several seeds, each in its own process with one native thread: libtorch's
 * random generator is per process, and on a small CPU several single-threaded runs side by side beat one
 * run on all cores. Reports each seed's last epochs and whether it passes, then the spread over seeds.
 * Run again into the same folder, a sweep reuses the seeds that finished and resumes the ones that have a
 * checkpoint, after checking that each folder holds the same model and recipe.
 */
public final class SeedSweep {

    /** One seed's outcome; {@code reused} when its folder held a finished run and nothing was trained now. */
    public record SeedResult(long seed, Path dir, int exitCode, List<EpochResult> epochs, List<ConstraintCheck.Line> checks,
                             boolean reused) {
        DoubleStream lastAccuracies(int n) {
            return epochs.subList(Math.max(0, epochs.size() - n), epochs.size()).stream()
                    .mapToDouble(EpochResult::testAccuracy);
        }

        /** Ran to its end and passed every constraint. */
        public boolean passed() {
            return exitCode == 0 && !checks.isEmpty() && ConstraintCheck.allPass(checks);
        }
    }

    /**
     * A sweep's outcome: each seed's result, in seed order, and the table written to seeds.md.
     *
     * @param table the per-seed table and the spread over seeds, as printed
     */
    public record Result(List<SeedResult> seeds, String table) {

        /** True when a seed's training failed to run to its end (bad data, divergence, a crash). */
        public boolean anyFailed() {
            return seeds.stream().anyMatch(s -> s.exitCode() != 0);
        }

        /** True when every seed ran and passed every constraint. */
        public boolean allPassed() {
            return seeds.stream().allMatch(SeedResult::passed);
        }

        /**
         * The command's exit status: 2 when a seed failed to run (whatever {@code strict} says), 1 when
         * {@code strict} and a constraint failed, else 0.
         */
        public int exitCode(boolean strict) {
            return anyFailed() ? 2 : strict && !allPassed() ? 1 : 0;
        }
    }

    private SeedSweep() {}

    /**
     * @param children how to start a child's training
     * @param template what every child trains, in which data split: its experiment (whose seed each child
     *                 replaces with its own), validation, training-set limit and data folder
     * @param parallel how many children run at once
     */
    public static Result run(ChildTraining children, TrainRequest template, List<Long> seeds, Path outDir,
                                       int parallel, PrintStream out) {
        Experiment experiment = template.experiment();
        long params = experiment.spec().trace().trainableParameters();
        Recipe.Constraints constraints = experiment.recipe().constraints();
        try {
            Files.createDirectories(outDir);
        } catch (IOException e) {
            throw new MnistlabException("cannot create " + outDir + " (" + e.getMessage() + "); choose another --out");
        }
        long started = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        try {
            List<Future<SeedResult>> futures = new ArrayList<>();
            for (long seed : seeds) {
                futures.add(pool.submit(() -> runOne(children, template, seed, outDir, params, constraints, out)));
            }
            List<SeedResult> results = new ArrayList<>();
            for (Future<SeedResult> f : futures) {
                results.add(f.get());
            }
            String table = table(results, constraints.lastEpochs(), (System.nanoTime() - started) / 1e9, parallel);
            out.print(table);
            AtomicFiles.write(outDir.resolve("seeds.md"), "```\n" + table + "```\n");
            return new Result(List.copyOf(results), table);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MnistlabException("interrupted; finished seeds keep their run folders in " + outDir);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new MnistlabException("a seed's run failed: " + e.getCause().getMessage());
        } finally {
            pool.shutdownNow();
        }
    }

    private static SeedResult runOne(ChildTraining children, TrainRequest template, long seed, Path outDir, long params,
                                     Recipe.Constraints constraints, PrintStream out) throws Exception {
        Path dir = outDir.resolve("seed-" + seed);
        Path log = outDir.resolve("seed-" + seed + ".log");
        Experiment experiment = template.experiment();
        Experiment wanted = experiment.withRecipe(experiment.recipe().withSeed(seed));
        RunState state = RunState.of(dir);
        // a seed folder may only be reused for the same model and recipe (names and descriptions aside)
        if (state.recorded() && !state.holds(wanted)) {
            throw new MnistlabException(dir + " holds a run of another model or recipe; choose another --out "
                    + "(a rerun into the same folder reuses finished seeds and resumes stopped ones)");
        }
        boolean finishedBefore = state.status() == RunState.Status.FINISHED;
        boolean resumable = state.resumable();
        long t0 = System.nanoTime();
        int code = 0;
        if (!finishedBefore) {
            TrainRequest request = new TrainRequest(dir, resumable, template.validation(), template.limitTrain(), null, 1,
                    template.dataDir(), wanted);
            code = children.run(request, log);
        }
        List<EpochResult> epochs = EpochResult.readAll(dir);
        List<ConstraintCheck.Line> checks = epochs.isEmpty() ? List.of()
                : ConstraintCheck.check(params, epochs, constraints, EpochResult.split(dir));
        SeedResult r = new SeedResult(seed, dir, code, epochs, checks, finishedBefore);
        synchronized (out) {
            out.printf(Locale.ROOT, "seed %d %s: %s%n", seed, finishedBefore ? "finished before, reused"
                            : String.format(Locale.ROOT, "finished in %.0f s%s", (System.nanoTime() - t0) / 1e9,
                                    resumable ? " (resumed from its checkpoint)" : ""),
                    code != 0 ? "FAILED (exit " + code + "), see " + log : describe(r, constraints.lastEpochs()));
        }
        return r;
    }

    private static String describe(SeedResult r, int last) {
        return String.format(Locale.ROOT, "last %d epochs %s -> %s", last,
                r.lastAccuracies(last).mapToObj(a -> String.format(Locale.ROOT, "%.2f", a)).toList(),
                r.passed() ? "PASS" : "FAIL");
    }

    private static String seeds(long n) {
        return n + (n == 1 ? " seed" : " seeds");
    }

    static String table(List<SeedResult> results, int last, double wallSeconds, int parallel) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%nTest accuracy over the last %d epochs, per seed:%n", last));
        sb.append(String.format(Locale.ROOT, "%-8s %7s %7s %7s  %s%n", "seed", "min", "mean", "max", "constraints"));
        List<Double> all = new ArrayList<>();
        for (SeedResult r : results) {
            var stats = r.lastAccuracies(last).summaryStatistics();
            r.lastAccuracies(last).forEach(all::add);
            sb.append(stats.getCount() == 0 ? String.format(Locale.ROOT, "%-8d %7s %7s %7s  FAIL (no result)%n", r.seed(), "-", "-", "-")
                    : String.format(Locale.ROOT, "%-8d %7.2f %7.2f %7.2f  %s%n", r.seed(), stats.getMin(),
                            stats.getAverage(), stats.getMax(), r.passed() ? "PASS" : "FAIL"));
        }
        var overall = all.stream().mapToDouble(Double::doubleValue).summaryStatistics();
        long passed = results.stream().filter(SeedResult::passed).count();
        if (overall.getCount() > 0) {
            sb.append(String.format(Locale.ROOT, "%-8s %7.2f %7.2f %7.2f  %d of %d seeds pass%n", "all",
                    overall.getMin(), overall.getAverage(), overall.getMax(), passed, results.size()));
        }
        long reused = results.stream().filter(SeedResult::reused).count();
        if (reused == results.size()) {
            sb.append(String.format(Locale.ROOT, "All %s reused from earlier runs (nothing trained now)%n", seeds(reused)));
        } else {
            sb.append(String.format(Locale.ROOT, "Total wall time: %.0f s for %s, %d at a time%s%n",
                    wallSeconds, seeds(results.size() - reused), parallel,
                    reused == 0 ? "" : " (" + seeds(reused) + " reused)"));
        }
        return sb.toString();
    }
}
