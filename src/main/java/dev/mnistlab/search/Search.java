package dev.mnistlab.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mnistlab.AtomicFiles;
import dev.mnistlab.FolderLock;
import dev.mnistlab.MnistlabException;
import dev.mnistlab.YamlFiles;
import dev.mnistlab.data.MnistSource;
import dev.mnistlab.train.EpochResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Successive halving under a parameter budget. Every trial trains on the training set minus a held-out
 * validation part and is judged on that part only; after each rung the best 1/eta go on, resuming from
 * their checkpoints, until the survivors have had all epochs. The finalists are then trained on the whole
 * training set over several seeds and reported on the test set, which never influences a choice.
 * The trials live in a {@link StudyStore}: this process's local workers train them, and so may workers on other
 * machines sharing the store; the store makes the search resumable, and decides each promotion once.
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
    private final StudyStore store;
    private final String study;
    private final Duration lease;
    private final long started = System.nanoTime();

    /**
     * @param children   how to start a child's training
     * @param limitTrain train every run on the first N training images only; null: all
     * @param dataDir    the MNIST folder every run reads (its fingerprint becomes the study's)
     * @param store      where the study lives: an SQLite file in {@code dir}, or a server other workers share
     * @param study      the study's name in the store
     * @param parallel   local workers' trainings at once
     */
    public Search(Settings settings, SearchSpace space, Path dir, ChildTraining children, Integer limitTrain, Path dataDir,
                  int parallel, PrintStream out, StudyStore store, String study, Duration lease) {
        this.settings = settings;
        this.space = space;
        this.dir = dir;
        this.children = children;
        this.limitTrain = limitTrain;
        this.dataDir = dataDir;
        this.parallel = parallel;
        this.out = out;
        this.store = store;
        this.study = study;
        this.lease = lease;
    }

    /**
     * The search a study in {@code store} holds, as its definition records it, for writing its results into
     * {@code dir} ({@link #results()}) without training.
     */
    public static Search ofStudy(StudyStore store, String study, Path dir, PrintStream out) {
        StudyStore.Study found = store.study(study);
        if (found == null || !found.kind().equals("search")) {
            throw new MnistlabException("the " + store.where() + " holds no search study '" + study + "'; see the studies "
                    + "there with ./mnistlab study status --storage ...");
        }
        JsonNode definition = YamlFiles.parse(found.definition(), "study " + study);
        Settings settings = YamlFiles.bind(definition.get("settings"), Settings.class, "study " + study);
        SearchSpace space = SearchSpace.of(definition.get("space"), "study " + study);
        Integer limit = definition.has("limit_train") ? definition.get("limit_train").asInt() : null;
        return new Search(settings, space, dir, null, limit, null, 0, out, store, study, null);
    }

    /** Writes results.md and best.yaml of a finished study into the folder; refused while it is still open. */
    public Outcome results() {
        StudyStore.Study found = store.study(study);
        if (!found.finished()) {
            throw new MnistlabException("study '" + study + "' is not finished yet (stage " + found.stage() + " of "
                    + (found.plan().finalStage() + 1) + "); see ./mnistlab study status");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new MnistlabException("cannot create " + dir + " (" + e.getMessage() + ")");
        }
        Map<Integer, Candidate> byId = new LinkedHashMap<>();
        draw().forEach(c -> byId.put(c.id(), c));
        return results(found.plan(), byId);
    }

    /** The study name a search goes by unless given one: the same as its default folder's. */
    public static String defaultStudy(Settings settings) {
        return "search-" + settings.budget() + "-seed" + settings.seed();
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

    /**
     * Runs (or joins, or continues) the search to its end; the outcome's files are in the search folder. Stopped by a
     * signal, its worker gives the trials back and says how to continue, and this throws {@link Worker.Stopped}
     * without writing results.
     */
    public Outcome run() {
        return search();
    }

    private Outcome search() {
        String definition = definition(settings, space);
        checkFolder(dir, definition);
        List<Candidate> candidates = draw();
        List<Integer> rungs = rungs(settings.minEpochs(), settings.eta(), space.epochs());
        StudyPlan plan = new StudyPlan(rungs, settings.eta(), settings.finalists(), settings.seeds());
        List<StudyStore.NewTrial> first = candidates.stream().map(c -> new StudyStore.NewTrial(c.name(), "trials/" + c.folder(),
                null, YamlFiles.write(c.toExperiment()), c.params(), settings.validation(), limitTrain, rungs.get(0))).toList();
        String data = MnistSource.fingerprint(dataDir);
        boolean created = store.createOrJoin(study, "search", definition + (limitTrain == null ? "" : "limit_train: " + limitTrain + "\n"),
                data, plan, first);
        try (FolderLock lock = FolderLock.acquire(dir)) {
            writeFolder(definition, candidates);
            return search(plan, candidates, created, data);
        }
    }

    private Outcome search(StudyPlan plan, List<Candidate> candidates, boolean created, String data) {
        List<Integer> rungs = plan.rungs();
        out.printf(Locale.ROOT, "Search: %d trials under %,d parameters, rungs at %s epochs, keeping 1/%d each time; "
                        + "validation on the last %,d training images; %d at a time here -> %s%n",
                candidates.size(), settings.budget(), rungs, settings.eta(), settings.validation(), parallel, dir);
        out.printf(Locale.ROOT, "%s study '%s' in the %s%n", created ? "Created" : "Continuing", study, store.where());
        Map<Integer, Candidate> byId = new LinkedHashMap<>();
        candidates.forEach(c -> byId.put(c.id(), c));
        Progress progress = new Progress(plan, byId);
        progress.print(true);
        ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor();
        ticks.scheduleWithFixedDelay(() -> {
            try {
                progress.print(false);
            } catch (RuntimeException e) {
                // the store is busy or away for a moment: the next tick prints what this one missed
            }
        }, 1, 1, TimeUnit.SECONDS);
        try {
            new Worker(store, children, new Worker.Options(study, name -> dir, dataDir, data, parallel, lease), null).run();
        } finally {
            ticks.shutdownNow();
        }
        progress.print(false);
        return results(plan, byId);
    }

    /** The table and best preset from what the store holds, written into the search folder. */
    private Outcome results(StudyPlan plan, Map<Integer, Candidate> byId) {
        List<StudyStore.Trial> trials = store.trials(study);
        Map<Integer, List<EpochResult>> epochs = store.epochs(study);
        Map<Integer, List<List<Double>>> tests = new LinkedHashMap<>();
        Candidate best = null;
        for (StudyStore.Trial t : trials) {
            if (t.candidate() != null) {
                best = best != null ? best : byId.get(t.candidate());
                tests.computeIfAbsent(t.candidate(), k -> new ArrayList<>()).add(epochs.getOrDefault(t.id(), List.of())
                        .stream().map(EpochResult::testAccuracy).toList());
            }
        }
        List<SearchResults.Row> rows = new ArrayList<>();
        for (StudyStore.Trial t : trials) {
            if (t.candidate() == null) {
                Map<Integer, Double> scores = new LinkedHashMap<>();
                for (int rung = 0; rung < plan.rungs().size(); rung++) {
                    Double score = plan.score(t, rung, epochs.get(t.id()));
                    if (score != null) {
                        scores.put(rung, score);
                    }
                }
                rows.add(new SearchResults.Row(byId.get(t.id()), scores, tests.get(t.id())));
            }
        }
        if (best == null) {
            throw new MnistlabException("study '" + study + "' has no finalist; see its trials with ./mnistlab study status");
        }
        SearchResults results = new SearchResults(settings, plan.rungs(), rows, best);
        String table = results.markdown();
        AtomicFiles.write(dir.resolve("results.md"), table);
        Path bestFile = dir.resolve("best.yaml");
        AtomicFiles.write(bestFile, results.bestPreset());
        out.println();
        out.print(table);
        out.printf(Locale.ROOT, "%nBest spec as a preset: %s (train it with ./mnistlab train %s --seeds 5)%n", bestFile, bestFile);
        out.printf(Locale.ROOT, "Search took %.0f s this time.%n", (System.nanoTime() - started) / 1e9);
        return new Outcome(bestFile, dir.resolve("results.md"), table, best.name(), best.params());
    }

    /** Prints each rung's and final's result once, as the store shows them, whichever worker trained them. */
    private final class Progress {
        private final StudyPlan plan;
        private final Map<Integer, Candidate> candidates;
        private final java.util.Set<String> printed = new java.util.HashSet<>();
        private int stageShown = -1;

        Progress(StudyPlan plan, Map<Integer, Candidate> candidates) {
            this.plan = plan;
            this.candidates = candidates;
        }

        synchronized void print(boolean before) {
            StudyStore.Study now = store.study(study);
            List<StudyStore.Trial> trials = store.trials(study);
            Map<Integer, List<EpochResult>> epochs = store.epochs(study);
            for (int stage = 0; stage <= Math.min(now.stage(), plan.finalStage()); stage++) {
                int s = stage;
                if (stage > stageShown) {
                    stageShown = stage;
                    if (stage < plan.finalStage()) {
                        out.printf(Locale.ROOT, "%nRung %d of %d: %d trials to epoch %d%n", stage + 1, plan.rungs().size(),
                                trials.stream().filter(t -> t.candidate() == null && t.stage() >= s).count(), plan.rungs().get(stage));
                    } else if (trials.stream().anyMatch(t -> t.candidate() != null)) {
                        out.printf(Locale.ROOT, "%nFinalists %s: full training set, %d seeds each, reported on the test set%n",
                                trials.stream().filter(t -> t.candidate() != null).map(t -> candidates.get(t.candidate()).name())
                                        .distinct().toList(), settings.seeds());
                    }
                }
                for (StudyStore.Trial t : trials) {
                    boolean ended = t.stage() > s || t.stage() == s && (t.state().equals(StudyStore.DONE)
                            || t.state().equals(StudyStore.FAILED));
                    if (ended && (t.candidate() == null) == (s < plan.finalStage()) && t.stage() >= s
                            && printed.add(t.id() + "/" + s)) {
                        line(t, s, epochs.getOrDefault(t.id(), List.of()), before);
                    }
                }
            }
        }

        private void line(StudyStore.Trial t, int stage, List<EpochResult> epochs, boolean before) {
            String stored = before ? " (from the store)" : "";
            String failed = t.stage() == stage && t.state().equals(StudyStore.FAILED) ? " FAILED: " + t.message() : "";
            if (t.candidate() != null) {
                Candidate c = candidates.get(t.candidate());
                int n = epochs.size();
                out.printf(Locale.ROOT, "  %s seed %d: test accuracy in the last %d epochs %s%s%s%n", c.name(),
                        t.toExperiment().recipe().seed(), c.lastEpochs(), epochs.subList(Math.max(0, n - c.lastEpochs()), n)
                                .stream().map(EpochResult::testAccuracy).toList(), failed, stored);
                return;
            }
            Candidate c = candidates.get(t.id());
            int reached = plan.rungs().get(stage);
            Double score = plan.score(t, stage, epochs);
            out.printf(Locale.ROOT, "  %s %,6d params  %-44s epoch %2d: %s%s  [%s]%n", c.name(), c.params(), c.choices(),
                    reached, !failed.isEmpty() || score == null || score.isInfinite() || epochs.size() < reached
                            ? "FAILED " + t.message()
                            : String.format(Locale.ROOT, "validation %.2f%% (mean of last %d epochs %.2f%%)",
                                    epochs.get(reached - 1).testAccuracy(), Math.min(c.lastEpochs(), reached), score),
                    stored, elapsed());
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

    /** The trials drawn from the space with the search's seed: the same on every run of the same search. */
    private List<Candidate> draw() {
        SplittableRandom random = new SplittableRandom(settings.seed());
        List<Candidate> candidates = new ArrayList<>();
        for (int id = 1; id <= settings.trials(); id++) {
            candidates.add(space.sample(random, id, settings.budget()));
        }
        return candidates;
    }

    /** search.yaml and the drawn trials' presets (trials/tNN.yaml), for reading and for training one by hand. */
    private void writeFolder(String definition, List<Candidate> candidates) {
        try {
            Files.createDirectories(dir.resolve("trials"));
            Files.createDirectories(dir.resolve("final"));
        } catch (IOException e) {
            throw new MnistlabException("cannot create folders in " + dir + " (" + e.getMessage() + ")");
        }
        AtomicFiles.write(dir.resolve("search.yaml"), definition);
        candidates.forEach(c -> AtomicFiles.write(dir.resolve("trials").resolve(c.folder() + ".yaml"), c.yaml()));
    }

    /**
     * Refuses a folder that holds another search (its search.yaml differs), before anything is written anywhere.
     */
    public static void checkFolder(Path dir, Settings settings, SearchSpace space) {
        checkFolder(dir, definition(settings, space));
    }

    private static void checkFolder(Path dir, String definition) {
        Path file = dir.resolve("search.yaml");
        try {
            if (Files.exists(file) && !Files.readString(file).equals(definition)) {
                throw new MnistlabException(dir + " holds a search with other settings or another space (see "
                        + file + "); run it with the same options to continue, or choose another --out");
            }
        } catch (IOException e) {
            throw new MnistlabException("cannot use " + dir + " (" + e.getMessage() + "); choose another --out");
        }
    }

    /** The search's settings and space as search.yaml records them: what a study of the same search must match. */
    private static String definition(Settings settings, SearchSpace space) {
        ObjectNode recorded = YamlFiles.MAPPER.createObjectNode();
        recorded.set("settings", YamlFiles.MAPPER.valueToTree(settings));
        recorded.set("space", space.toTree());
        return YamlFiles.write(recorded);
    }
}
