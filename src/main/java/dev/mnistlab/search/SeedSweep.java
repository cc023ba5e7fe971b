package dev.mnistlab.search;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mnistlab.AtomicFiles;
import dev.mnistlab.MnistlabException;
import dev.mnistlab.YamlFiles;
import dev.mnistlab.data.MnistData;
import dev.mnistlab.data.MnistSource;
import dev.mnistlab.train.ConstraintCheck;
import dev.mnistlab.train.EpochResult;
import dev.mnistlab.train.Experiment;
import dev.mnistlab.train.Recipe;
import dev.mnistlab.train.RunFolder;
import dev.mnistlab.train.RunSnapshot;
import dev.mnistlab.train.TrainRequest;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.DoubleStream;

/**
 * Trains one experiment under several seeds, each in its own process with one native thread: libtorch's
 * random generator is per process, and on a small CPU several single-threaded runs side by side beat one
 * run on all cores. Reports each seed's last epochs and whether it passes, then the spread over seeds.
 * The seeds are the trials of a study ({@link StudyStore}: study.db in the folder, or a shared store that workers
 * on other machines help with). Run again, a sweep reuses the seeds that finished and resumes the others from their
 * last stored epoch; another experiment under the same study name is refused.
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

    /** The study name a sweep goes by unless given one. */
    public static String defaultStudy(Experiment experiment) {
        return experiment.name() + "-seeds";
    }

    /**
     * @param children how to start a child's training
     * @param template what every child trains, in which data split: its experiment (whose seed each child
     *                 replaces with its own), validation, training-set limit and data folder (resolved: its
     *                 fingerprint becomes the study's)
     * @param parallel how many children run at once here (workers elsewhere sharing the store may help)
     * @param store    where the sweep's study lives; {@code study} its name there
     */
    public static Result run(ChildTraining children, TrainRequest template, List<Long> seeds, Path outDir,
                             int parallel, PrintStream out, StudyStore store, String study, Duration lease) {
        Experiment experiment = template.experiment();
        long params = experiment.spec().trace().trainableParameters();
        Recipe.Constraints constraints = experiment.recipe().constraints();
        List<StudyStore.NewTrial> trials = trials(template, seeds);
        ObjectNode definition = YamlFiles.MAPPER.createObjectNode();
        definition.set("experiment", YamlFiles.MAPPER.valueToTree(experiment));
        definition.set("seeds", YamlFiles.MAPPER.valueToTree(seeds));
        definition.put("validation", template.validation());
        definition.put("limit_train", template.limitTrain());
        String data = MnistSource.fingerprint(template.dataDir());
        Map<String, Boolean> finishedBefore = earlierRuns(trials, outDir);
        store.createOrJoin(study, "seeds", YamlFiles.write(definition), data, StudyPlan.sweep(experiment.recipe().epochs()), trials);
        for (StudyStore.Trial t : store.retryFailed(study)) {
            out.printf("%s failed before (%s): trying again%n", t.name().replace('-', ' '), t.message());
        }
        Map<String, Boolean> reused = new LinkedHashMap<>();
        store.trials(study).forEach(t -> reused.put(t.name(), t.state().equals(StudyStore.DONE)
                || finishedBefore.getOrDefault(t.name(), false)));
        long started = System.nanoTime();
        java.util.Set<String> printed = new java.util.HashSet<>();
        Runnable progress = () -> {
            Map<Integer, List<EpochResult>> epochs = store.epochs(study);
            for (StudyStore.Trial t : store.trials(study)) {
                if (!t.state().equals(StudyStore.QUEUED) && !t.state().equals(StudyStore.RUNNING) && printed.add(t.name())) {
                    SeedResult r = result(t, epochs, outDir, params, constraints, reused.get(t.name()));
                    double seconds = r.epochs().stream().mapToDouble(EpochResult::seconds).sum();
                    synchronized (out) {
                        out.printf(Locale.ROOT, "seed %d %s: %s%n", r.seed(), r.reused() ? "finished before, reused"
                                        : String.format(Locale.ROOT, "finished in %.0f s", seconds),
                                r.exitCode() != 0 ? "FAILED (" + t.message() + ")" : describe(r, constraints.lastEpochs()));
                    }
                }
            }
        };
        progress.run();
        ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor();
        ticks.scheduleWithFixedDelay(() -> {
            try {
                progress.run();
            } catch (RuntimeException e) {
                // the store is busy for a moment: the next tick prints what this one missed
            }
        }, 1, 1, TimeUnit.SECONDS);
        try {
            new Worker(store, children, new Worker.Options(study, name -> outDir, template.dataDir(), data, parallel, lease),
                    null).run();
        } finally {
            ticks.shutdownNow();
        }
        progress.run();
        Map<Integer, List<EpochResult>> epochs = store.epochs(study);
        List<SeedResult> results = store.trials(study).stream()
                .map(t -> result(t, epochs, outDir, params, constraints, reused.get(t.name()))).toList();
        String table = table(results, constraints.lastEpochs(), (System.nanoTime() - started) / 1e9, parallel);
        out.print(table);
        AtomicFiles.write(outDir.resolve("seeds.md"), "```\n" + table + "```\n");
        return new Result(List.copyOf(results), table);
    }

    /** Refuses, before any store is opened or created, a seed's folder that holds a run of something else. */
    public static void refuseOtherRuns(TrainRequest template, List<Long> seeds, Path outDir) {
        earlierRuns(trials(template, seeds), outDir);
    }

    private static List<StudyStore.NewTrial> trials(TrainRequest template, List<Long> seeds) {
        Experiment experiment = template.experiment();
        long params = experiment.spec().trace().trainableParameters();
        List<StudyStore.NewTrial> trials = new ArrayList<>();
        for (long seed : seeds) {
            Experiment wanted = experiment.withRecipe(experiment.recipe().withSeed(seed));
            trials.add(new StudyStore.NewTrial("seed-" + seed, "seed-" + seed, null, YamlFiles.write(wanted), params,
                    template.validation(), template.limitTrain(), wanted.recipe().epochs()));
        }
        return trials;
    }

    /**
     * Which seeds' folders already hold their finished run (trained before, e.g. by {@code train --seed N --out
     * DIR/seed-N}; the worker takes such a run, or a stopped one, as the seed's progress). A folder holding a run of
     * another model, recipe or split is refused, not emptied: it is someone's result.
     */
    private static Map<String, Boolean> earlierRuns(List<StudyStore.NewTrial> trials, Path outDir) {
        Map<String, Boolean> finished = new LinkedHashMap<>();
        for (StudyStore.NewTrial t : trials) {
            Path folder = outDir.resolve(t.folder());
            if (!Files.exists(folder.resolve(RunFolder.EXPERIMENT))) {
                continue;
            }
            RunSnapshot run = RunSnapshot.read(folder);
            if (run != null && !run.trains(t.experiment(), t.validation(), t.limitTrain())) {
                throw new MnistlabException(folder + " holds a run of another model, recipe, data split or thread count "
                        + "than this sweep's " + t.name() + "; move it away or choose another --out");
            }
            finished.put(t.name(), run != null && run.epoch() == t.targetEpochs());
        }
        return finished;
    }

    /** A seed's outcome as the store holds it; a failed one keeps the exit code its message names. */
    private static SeedResult result(StudyStore.Trial t, Map<Integer, List<EpochResult>> epochs, Path outDir, long params,
                                     Recipe.Constraints constraints, Boolean reused) {
        List<EpochResult> trained = epochs.getOrDefault(t.id(), List.of());
        int code = t.state().equals(StudyStore.DONE) ? 0
                : t.message() != null && t.message().matches("exit \\d+.*") ? Integer.parseInt(t.message().replaceFirst("exit (\\d+).*", "$1"))
                : 2;
        List<ConstraintCheck.Line> checks = trained.isEmpty() ? List.of()
                : ConstraintCheck.check(params, trained, constraints, t.validation() != null ? MnistData.VALIDATION : "test");
        return new SeedResult(t.toExperiment().recipe().seed(), outDir.resolve(t.folder()), code, trained, checks,
                Boolean.TRUE.equals(reused));
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
