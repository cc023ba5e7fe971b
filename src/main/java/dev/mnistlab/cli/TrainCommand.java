package dev.mnistlab.cli;

import dev.mnistlab.MnistlabException;
import dev.mnistlab.data.MnistData;
import dev.mnistlab.data.MnistSource;
import dev.mnistlab.model.ModelSummary;
import dev.mnistlab.report.Reports;
import dev.mnistlab.search.ChildTraining;
import dev.mnistlab.search.SeedSweep;
import dev.mnistlab.train.ConstraintCheck;
import dev.mnistlab.train.EpochResult;
import dev.mnistlab.train.Experiment;
import dev.mnistlab.train.Progress;
import dev.mnistlab.train.Recipe;
import dev.mnistlab.train.RunFolder;
import dev.mnistlab.train.RunInfo;
import dev.mnistlab.train.RunState;
import dev.mnistlab.train.TrainRequest;
import dev.mnistlab.train.Training;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a preset or a YAML experiment on MNIST and write a run folder.")
final class TrainCommand implements Callable<Integer> {

    @Mixin
    ExperimentOptions experiment = new ExperimentOptions();

    @Option(names = "--recipe", paramLabel = "FILE", description = "A recipe YAML replacing the experiment's recipe.")
    Path recipeFile;

    @Option(names = "--epochs", description = "Override the recipe's epochs.")
    Integer epochs;

    @Option(names = "--batch-size", description = "Override the recipe's batch size.")
    Integer batchSize;

    @Option(names = "--lr", description = "Override the recipe's learning rate (OneCycle's peak unless max_lr is set).")
    Double lr;

    @Option(names = "--seed", description = "Override the recipe's seed (same seed, machine and threads: same run).")
    Long seed;

    @Mixin
    ThreadsOption threads = new ThreadsOption();

    @Option(names = "--limit-train", paramLabel = "N", description = "Train on the first N training images only (quick checks).")
    Integer limitTrain;

    @Option(names = "--validation", paramLabel = "N",
            description = "Hold out the last N training images and evaluate on them instead of the test set "
                    + "(for choosing models without looking at the test set).")
    Integer validation;

    @Option(names = "--stop-after", paramLabel = "EPOCH",
            description = "Pause after this epoch (the schedule still spans all epochs); continue with --resume.")
    Integer stopAfter;

    @Option(names = "--out", paramLabel = "DIR", description = "Run folder (default runs/<time>-<name>).")
    Path out;

    @Option(names = "--force", description = "Overwrite an existing run folder.")
    boolean force;

    @Option(names = "--resume", paramLabel = "RUN_DIR", description = "Continue a stopped run from its last checkpoint.")
    Path resume;

    @Mixin
    DataDirOption dataDir = new DataDirOption();

    @Option(names = "--strict", description = "Exit with status 1 when a constraint fails.")
    boolean strict;

    @Option(names = "--seeds", paramLabel = "N",
            description = "Train N seeds (the recipe's seed and the next N-1), each in its own one-thread process, "
                    + "and report min/mean/max over the last epochs.")
    Integer seeds;

    @Option(names = "--parallel", paramLabel = "P", description = "With --seeds: runs at once (default: one per core).")
    Integer parallel;

    @Option(names = "--request", paramLabel = "FILE", hidden = true,
            description = "Run the training request in FILE (how seed sweeps and searches start their children).")
    Path request;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Checks.positive("--threads", threads.threads);
        Checks.positive("--limit-train", limitTrain);
        Checks.positive("--seeds", seeds);
        Checks.positive("--parallel", parallel);
        Checks.positive("--validation", validation);
        Checks.positive("--stop-after", stopAfter);
        if (request != null) {
            boolean alone = spec.commandLine().getParseResult().matchedOptions().stream()
                    .allMatch(o -> o.longestName().equals("--request") || o.longestName().equals("--debug"));
            if (!alone || experiment.file != null) {
                throw new MnistlabException("--request holds the whole run; give no other options");
            }
            return train(TrainRequest.read(request), true);
        }
        if (seeds != null) {
            return sweep();
        }
        return resume != null ? train(resumeRequest(), false) : train(freshRequest(), force);
    }

    /** The experiment the options name: a preset or file, its recipe replaced and overridden as asked. */
    private Experiment resolved() {
        Experiment loaded = experiment.load();
        Recipe recipe = recipeFile != null ? Experiment.recipeFile(recipeFile) : loaded.recipe();
        recipe = withOverrides(recipe);
        recipe.validate("command line");
        return loaded.withRecipe(recipe);
    }

    private int sweep() {
        if (resume != null || threads.threads != null || stopAfter != null) {
            throw new MnistlabException("--seeds runs each seed with one thread in its own folder; drop --resume/--threads/--stop-after");
        }
        Experiment exp = resolved();
        exp.requireTrainable(); // once here, not in every child
        MnistSource.load(dataDir.dir, System.out::println); // fetch once, not in every child
        List<Long> list = new ArrayList<>();
        for (int i = 0; i < seeds; i++) {
            list.add(exp.recipe().seed() + i);
        }
        Path dir = out != null ? out : RunFolder.defaultDir(exp.name() + "-seeds");
        int at = parallel != null ? parallel : Math.min(seeds, Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "Training %s with seeds %s, %d at a time, one thread each -> %s%n",
                exp.name(), list, at, dir);
        TrainRequest template = TrainRequest.start(exp, null).withValidation(validation).withLimitTrain(limitTrain)
                .withDataDir(dataDir.dir);
        List<SeedSweep.SeedResult> results = SeedSweep.run(new ChildTraining(Main.childTrainCommand()), template, list,
                dir, at, System.out);
        return strict && !results.stream().allMatch(r -> r.exitCode() == 0 && ConstraintCheck.allPass(r.checks())) ? 1 : 0;
    }

    private TrainRequest freshRequest() {
        return TrainRequest.start(resolved(), out).withValidation(validation).withLimitTrain(limitTrain)
                .withStopAfter(stopAfter).withThreads(threads.threads).withDataDir(dataDir.dir);
    }

    private TrainRequest resumeRequest() {
        if (experiment.preset != null || experiment.file != null || recipeFile != null || epochs != null
                || batchSize != null || lr != null || seed != null || limitTrain != null || validation != null
                || out != null) {
            throw new MnistlabException("--resume continues the run exactly as recorded in its folder; "
                    + "drop the other experiment options (--data-dir, --threads and --stop-after are allowed)");
        }
        Experiment recorded = Experiment.file(RunFolder.existing(resume).file(RunFolder.EXPERIMENT));
        return TrainRequest.start(recorded, resume).withResume(true).withStopAfter(stopAfter)
                .withThreads(threads.threads).withDataDir(dataDir.dir);
    }

    /** Trains what {@code r} asks for; {@code force} lets a fresh run replace an existing one in its folder. */
    private int train(TrainRequest r, boolean force) {
        return r.resume() ? resume(r) : fresh(r, force);
    }

    private int fresh(TrainRequest r, boolean force) {
        Experiment exp = r.experiment();
        Recipe recipe = exp.recipe();
        exp.requireTrainable();

        Checks.positive("--threads", r.threads());
        EngineThreads.configure(r.threads());
        MnistData data = limited(heldOut(MnistSource.load(r.dataDir(), System.out::println), r.validation()), r.limitTrain());
        RunFolder folder = RunFolder.create(r.run(), exp.name(), force);
        System.out.printf(Locale.ROOT, "Training %s: %s trainable parameters, %d epochs, batch %d, seed %d -> %s%n",
                exp.name(), ModelSummary.thousands(exp.spec().trace().trainableParameters()), recipe.epochs(),
                recipe.batchSize(), recipe.seed(), folder.dir());
        if (data.validating()) {
            System.out.printf(Locale.ROOT, "Validating on the last %,d training images; the test set is not used%n",
                    data.test().count());
        }
        return train(new Training(exp, data, folder, progress(), System.out), folder, data.validating(), r.stopAfter());
    }

    private int resume(TrainRequest r) {
        RunFolder folder = RunFolder.existing(r.run());
        RunState state = RunState.of(folder.dir());
        if (!state.holds(r.experiment())) {
            throw new MnistlabException(folder.dir() + " holds a run of another model or recipe than "
                    + r.experiment().name() + "; continue it with --resume alone, or train into another folder");
        }
        Experiment exp = Experiment.file(folder.file(RunFolder.EXPERIMENT));
        RunInfo info = RunInfo.read(folder);
        if (!state.resumable()) {
            throw new MnistlabException(folder.dir() + " has no checkpoint (no epoch finished yet); start the run again");
        }
        Integer requested = r.threads();
        if (requested != null && requested != info.threads()) {
            System.out.printf("Note: the run used %d threads; with %d the digits will differ from an uninterrupted run%n",
                    info.threads(), requested);
        }
        EngineThreads.configure(requested != null ? requested : info.threads());
        Path dir = r.dataDir() != null ? r.dataDir() : Path.of(info.dataDir());
        MnistData data = limited(heldOut(MnistSource.read(dir, "run.yaml data_dir"), info.validation()), info.trainLimit());
        return train(new Training(exp, data, folder, progress(), System.out).resuming(), folder, data.validating(),
                r.stopAfter());
    }

    private int train(Training training, RunFolder folder, boolean validating, Integer stopAfter) {
        if (stopAfter != null) {
            training.stoppingAfter(stopAfter);
        }
        Thread onInterrupt = new Thread(() -> {
            if (!training.finished()) {
                System.err.println(training.lastCheckpoint() == 0
                        ? "\nStopped before the first epoch finished: nothing to resume in " + folder.dir()
                        : "\nStopped. The last good checkpoint is after epoch " + training.lastCheckpoint() + " in "
                                + folder.dir() + "; continue with: ./mnistlab train --resume " + folder.dir());
            }
        });
        Runtime.getRuntime().addShutdownHook(onInterrupt);
        Training.Result result = training.run();
        Runtime.getRuntime().removeShutdownHook(onInterrupt);
        if (!result.complete()) {
            System.out.printf(Locale.ROOT, "%nPaused after epoch %d as asked; continue with: ./mnistlab train --resume %s%n",
                    training.lastCheckpoint(), folder.dir());
            return 0;
        }
        Reports.write(folder.dir(), System.out::println);

        EpochResult best = result.epochs().stream().max((a, b) -> Double.compare(a.testAccuracy(), b.testAccuracy())).orElseThrow();
        System.out.printf(Locale.ROOT, "%nBest %s accuracy %.2f%% at epoch %d; final %.2f%%. Run folder: %s%n",
                validating ? "validation" : "test", best.testAccuracy(), best.epoch(), result.finalTest().accuracy(), folder.dir());
        System.out.println("Constraints:");
        result.checks().forEach(line -> System.out.println("  " + line));
        return strict && !ConstraintCheck.allPass(result.checks()) ? 1 : 0;
    }

    private static MnistData heldOut(MnistData data, Integer count) {
        return count == null ? data : data.holdOut(count);
    }

    private static MnistData limited(MnistData data, Integer limit) {
        return limit == null ? data : new MnistData(data.train().first(limit), data.test(), data.directory());
    }

    private static Progress progress() {
        return new Progress(System.out, System.console() != null);
    }

    private Recipe withOverrides(Recipe recipe) {
        Recipe r = recipe;
        if (epochs != null) {
            r = r.withEpochs(epochs);
        }
        if (batchSize != null) {
            r = r.withBatchSize(batchSize);
        }
        if (lr != null) {
            r = r.withLr(lr);
        }
        if (seed != null) {
            r = r.withSeed(seed);
        }
        return r;
    }
}
