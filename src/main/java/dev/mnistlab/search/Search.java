package dev.mnistlab.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mnistlab.AtomicFiles;
import dev.mnistlab.MnistlabException;
import dev.mnistlab.YamlFiles;
import dev.mnistlab.train.EpochResult;
import dev.mnistlab.train.Experiment;
import dev.mnistlab.train.RunState;
import dev.mnistlab.train.TrainRequest;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Successive halving under a parameter budget. Every trial trains on the training set minus a held-out
 * validation part and is judged on that part only; after each rung the best 1/eta go on, resuming from
 * their checkpoints, until the survivors have had all epochs. The finalists are then trained on the whole
 * training set over several seeds and reported on the test set, which never influences a choice.
 * Each piece of work is one child process with one thread; the log makes the search resumable.
 */
public final class Search {

    /** What the user asked for; a resumed search must ask for the same. */
    public record Settings(long budget, int trials, long seed, int eta, int minEpochs, int finalists, int seeds,
                           int validation) {}

    /** One trial's progress: its validation score after each rung it reached. */
    private record Standing(Candidate candidate, Map<Integer, Double> scores) {
        double score(int rung) {
            return scores.getOrDefault(rung, Double.NEGATIVE_INFINITY);
        }
    }

    private final Settings settings;
    private final SearchSpace space;
    private final Path dir;
    private final ChildTraining children;
    private final Integer limitTrain;
    private final Path dataDir;
    private final int parallel;
    private final PrintStream out;
    private final SearchLog log;
    private final long started = System.nanoTime();
    /** Children still training; stopped with the search so none keeps writing into its folder. */
    private volatile boolean finished;
    /** Set when the search is being stopped: no new child starts, and children it stops are not results. */
    private volatile boolean stopping;
    private final java.util.Set<Process> running = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * @param children   how to start a child's training
     * @param limitTrain train every run on the first N training images only; null: all
     * @param dataDir    the MNIST folder every run reads; null: $MNISTLAB_DATA, then the cache
     */
    public Search(Settings settings, SearchSpace space, Path dir, ChildTraining children, Integer limitTrain, Path dataDir,
                  int parallel, PrintStream out) {
        this.settings = settings;
        this.space = space;
        this.dir = dir;
        this.children = children;
        this.limitTrain = limitTrain;
        this.dataDir = dataDir;
        this.parallel = parallel;
        this.out = out;
        prepare();
        this.log = new SearchLog(dir.resolve("search-log.jsonl"));
    }

    /** The epochs each rung trains to: min_epochs, x eta, ... and finally all of the recipe's epochs. */
    static List<Integer> rungs(int minEpochs, int eta, int epochs) {
        List<Integer> rungs = new ArrayList<>();
        for (long r = minEpochs; r < epochs; r *= eta) {
            rungs.add((int) r);
        }
        rungs.add(epochs);
        return rungs;
    }

    /**
     * What a search found.
     *
     * @param bestPreset best.yaml: the winning spec and recipe as a preset, ready for {@code train --seeds}
     * @param table results.md: every trial's validation scores per rung and the finalists' test accuracies
     * @param markdown the table's text
     * @param best the winning trial's name (e.g. t07) and trainable parameters
     */
    public record Outcome(Path bestPreset, Path table, String markdown, String best, long bestParams) {}

    /** Runs (or continues) the search to its end; the outcome's files are in the search folder. */
    public Outcome run() {
        Thread stopChildren = new Thread(() -> {
            stopping = true;
            running.forEach(Process::destroy);
            running.forEach(p -> {
                try {
                    p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            });
            if (!finished) {
                System.err.println("\nSearch stopped; its log and checkpoints are in " + dir
                        + ". Run the same command again to continue.");
            }
        });
        Runtime.getRuntime().addShutdownHook(stopChildren);
        try {
            Outcome outcome = search();
            finished = true;
            return outcome;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stopChildren);
            } catch (IllegalStateException shuttingDown) {
                // stopped by a signal: the hook is running and says how to continue
            }
        }
    }

    private Outcome search() {
        List<Candidate> candidates = draw();
        List<Integer> rungs = rungs(settings.minEpochs(), settings.eta(), space.epochs());
        out.printf(Locale.ROOT, "Search: %d trials under %,d parameters, rungs at %s epochs, keeping 1/%d each time; "
                        + "validation on the last %,d training images; %d at a time -> %s%n",
                candidates.size(), settings.budget(), rungs, settings.eta(), settings.validation(), parallel, dir);
        List<Standing> standings = candidates.stream().map(c -> new Standing(c, new LinkedHashMap<>())).toList();
        List<Standing> alive = standings;
        for (int rung = 0; rung < rungs.size(); rung++) {
            int keep = rung == 0 ? alive.size()
                    : Math.max(settings.finalists(), (int) Math.ceil(candidates.size() / Math.pow(settings.eta(), rung)));
            int previous = rung - 1;
            alive = alive.stream().sorted(byScore(previous)).limit(keep).toList();
            int epochs = rungs.get(rung);
            int r = rung;
            out.printf(Locale.ROOT, "%nRung %d of %d: %d trials to epoch %d%n", rung + 1, rungs.size(), alive.size(), epochs);
            parallel(alive, s -> s.scores().put(r, trainTrial(s.candidate(), r, epochs)));
        }
        List<Standing> finalists = alive.stream().sorted(byScore(rungs.size() - 1)).limit(settings.finalists()).toList();
        out.printf(Locale.ROOT, "%nFinalists %s: full training set, %d seeds each, reported on the test set%n",
                finalists.stream().map(s -> s.candidate().name()).toList(), settings.seeds());
        Map<Integer, List<List<Double>>> tests = new LinkedHashMap<>();
        List<Runnable> jobs = new ArrayList<>();
        for (Standing s : finalists) {
            List<List<Double>> perSeed = new ArrayList<>();
            tests.put(s.candidate().id(), perSeed);
            for (int i = 0; i < settings.seeds(); i++) {
                perSeed.add(null);
                long seed = 1 + i;
                int index = i;
                jobs.add(() -> perSeed.set(index, trainFinal(s.candidate(), seed)));
            }
        }
        runAll(jobs);
        SearchResults results = new SearchResults(settings, rungs, standings.stream()
                .map(s -> new SearchResults.Row(s.candidate(), s.scores(), tests.get(s.candidate().id()))).toList(),
                finalists.get(0).candidate());
        String table = results.markdown();
        AtomicFiles.write(dir.resolve("results.md"), table);
        Path best = dir.resolve("best.yaml");
        AtomicFiles.write(best, results.bestPreset());
        out.println();
        out.print(table);
        out.printf(Locale.ROOT, "%nBest spec as a preset: %s (train it with ./mnistlab train %s --seeds 5)%n", best, best);
        out.printf(Locale.ROOT, "Search took %.0f s this time.%n", (System.nanoTime() - started) / 1e9);
        Candidate winner = finalists.get(0).candidate();
        return new Outcome(best, dir.resolve("results.md"), table, winner.name(), winner.params());
    }

    private Comparator<Standing> byScore(int rung) {
        Comparator<Standing> score = Comparator.comparingDouble(s -> -s.score(rung));
        return rung < 0 ? Comparator.comparingInt(s -> s.candidate().id())
                : score.thenComparingLong(s -> s.candidate().params()).thenComparingInt(s -> s.candidate().id());
    }

    private List<Candidate> draw() {
        SplittableRandom random = new SplittableRandom(settings.seed());
        List<Candidate> candidates = new ArrayList<>();
        Path trials = dir.resolve("trials");
        try {
            Files.createDirectories(trials);
            Files.createDirectories(dir.resolve("final"));
        } catch (IOException e) {
            throw new MnistlabException("cannot create folders in " + dir + " (" + e.getMessage() + ")");
        }
        for (int id = 1; id <= settings.trials(); id++) {
            Candidate c = space.sample(random, id, settings.budget());
            AtomicFiles.write(trials.resolve(c.folder() + ".yaml"), c.yaml());
            candidates.add(c);
        }
        return candidates;
    }

    /** Trains a trial up to {@code epochs} (continuing from its checkpoint) and returns its validation score. */
    private double trainTrial(Candidate c, int rung, int epochs) {
        JsonNode done = log.find("rung", "trial", c.id(), "epochs", epochs);
        if (done != null) {
            report(c, rung, epochs, done, true);
            return done.path("score").asDouble(Double.NEGATIVE_INFINITY);
        }
        Path run = dir.resolve("trials").resolve(c.folder());
        Experiment experiment = c.toExperiment();
        int code = child(request(experiment, run).withValidation(settings.validation()).withStopAfter(epochs),
                run.resolveSibling(c.folder() + ".log"));
        List<EpochResult> metrics = EpochResult.readAll(run);
        ObjectNode entry = log.entry("rung").put("trial", c.id()).put("epochs", epochs).put("params", c.params());
        if (code != 0 || metrics.size() < epochs) {
            entry.put("failed", "exit " + code + ", see " + run.resolveSibling(c.folder() + ".log"));
        } else {
            entry.put("score", score(metrics, epochs, experiment.recipe().constraints().lastEpochs()))
                    .put("accuracy", metrics.get(epochs - 1).testAccuracy())
                    .put("loss", metrics.get(epochs - 1).testLoss());
        }
        log.append(entry);
        report(c, rung, epochs, entry, false);
        return entry.path("score").asDouble(Double.NEGATIVE_INFINITY);
    }

    /** Trains a finalist on the whole training set with one seed; returns its test accuracies per epoch. */
    private List<Double> trainFinal(Candidate c, long seed) {
        JsonNode done = log.find("final", "trial", c.id(), "seed", seed);
        if (done == null) {
            Path run = dir.resolve("final").resolve(c.folder() + "-seed-" + seed);
            Experiment experiment = c.toExperiment();
            int code = child(request(experiment.withRecipe(experiment.recipe().withSeed(seed)), run),
                    run.resolveSibling(c.folder() + "-seed-" + seed + ".log"));
            ObjectNode entry = log.entry("final").put("trial", c.id()).put("seed", seed).put("params", c.params());
            var accuracies = entry.putArray("test_accuracy");
            EpochResult.readAll(run).forEach(e -> accuracies.add(e.testAccuracy()));
            if (code != 0 || accuracies.size() < space.epochs()) {
                entry.put("failed", "exit " + code + ", see " + run.resolveSibling(c.folder() + "-seed-" + seed + ".log"));
            }
            log.append(entry);
            done = entry;
        }
        List<Double> accuracies = new ArrayList<>();
        done.path("test_accuracy").forEach(a -> accuracies.add(a.asDouble()));
        int n = accuracies.size();
        int last = c.lastEpochs();
        synchronized (out) {
            out.printf(Locale.ROOT, "  %s seed %d: test accuracy in the last %d epochs %s%s%n", c.name(), seed, last,
                    accuracies.subList(Math.max(0, n - last), n), done.has("failed") ? " FAILED: " + done.path("failed").asText() : "");
        }
        return accuracies;
    }

    private void report(Candidate c, int rung, int epochs, JsonNode entry, boolean fromLog) {
        synchronized (out) {
            out.printf(Locale.ROOT, "  %s %,6d params  %-44s epoch %2d: %s%s  [%s]%n", c.name(), c.params(), c.choices(),
                    epochs, entry.has("failed") ? "FAILED " + entry.path("failed").asText()
                            : String.format(Locale.ROOT, "validation %.2f%% (mean of last %d epochs %.2f%%)",
                                    entry.path("accuracy").asDouble(), Math.min(c.lastEpochs(), epochs),
                                    entry.path("score").asDouble()),
                    fromLog ? " (from the log)" : "", elapsed());
        }
    }

    private String elapsed() {
        long s = (System.nanoTime() - started) / 1_000_000_000L;
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }

    /**
     * A trial's validation score after {@code epochs}: its mean accuracy over the recipe's last epochs
     * ({@code constraints.last_epochs}), or over all of them at a rung with fewer.
     */
    static double score(List<EpochResult> metrics, int epochs, int lastEpochs) {
        return metrics.subList(Math.max(0, epochs - lastEpochs), epochs).stream()
                .mapToDouble(EpochResult::testAccuracy).average().orElseThrow();
    }

    /** A child's run in {@code run}: continued from its checkpoint when it has one, else started afresh. */
    private TrainRequest request(Experiment experiment, Path run) {
        return TrainRequest.start(experiment, run).withResume(RunState.of(run).resumable())
                .withLimitTrain(limitTrain).withThreads(1).withDataDir(dataDir);
    }

    private int child(TrainRequest request, Path logFile) {
        requireNotStopping();
        try {
            int code = children.run(request, logFile, running);
            requireNotStopping();
            return code;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MnistlabException("interrupted");
        } catch (IOException e) {
            throw new MnistlabException("cannot start a training process (" + e.getMessage() + ")");
        }
    }

    private void requireNotStopping() {
        if (stopping) {
            throw new MnistlabException("search stopped; run the same command again to continue it in " + dir);
        }
    }

    private void parallel(List<Standing> standings, java.util.function.Consumer<Standing> work) {
        runAll(standings.stream().map(s -> (Runnable) () -> work.accept(s)).toList());
    }

    private void runAll(List<Runnable> jobs) {
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        try {
            List<Future<?>> futures = jobs.stream().map(pool::submit).toList();
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MnistlabException("interrupted; run the same command again to continue the search in " + dir);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof MnistlabException m ? m : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Creates the folder, or checks that the search found in it was started with the same settings. */
    private void prepare() {
        Path file = dir.resolve("search.yaml");
        ObjectNode recorded = YamlFiles.MAPPER.createObjectNode();
        recorded.set("settings", YamlFiles.MAPPER.valueToTree(settings));
        recorded.set("space", space.toTree());
        String text = YamlFiles.write(recorded);
        try {
            if (Files.exists(file)) {
                if (!Files.readString(file).equals(text)) {
                    throw new MnistlabException(dir + " holds a search with other settings or another space (see "
                            + file + "); run it with the same options to continue, or choose another --out");
                }
                out.println("Continuing the search in " + dir + " from its log");
            } else {
                Files.createDirectories(dir);
                AtomicFiles.write(file, text);
            }
        } catch (IOException e) {
            throw new MnistlabException("cannot use " + dir + " (" + e.getMessage() + "); choose another --out");
        }
    }
}
