package dev.mnistlab.cli;

import dev.mnistlab.MnistlabException;
import dev.mnistlab.api.Experiment;
import dev.mnistlab.api.Mnistlab;
import dev.mnistlab.api.Run;
import dev.mnistlab.api.TrainOptions;
import dev.mnistlab.search.SeedSweep;
import dev.mnistlab.train.ConstraintCheck;
import dev.mnistlab.train.EpochResult;
import dev.mnistlab.train.Recipe;
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

    @Mixin
    StudyOption study = new StudyOption();

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
            stopWithParent();
            return finish(CliTraining.watch(listener -> Mnistlab.trainFromRequest(request, listener)));
        }
        if (seeds != null) {
            return sweep();
        }
        if (study.storage != null || study.study != null) {
            throw new MnistlabException("--storage and --study go with --seeds (a single run trains here, in its folder)");
        }
        if (resume != null) {
            requireOnlyResumeOptions();
            TrainOptions options = TrainOptions.defaults().withThreads(threads.threads).withStopAfter(stopAfter)
                    .withDataDir(dataDir.dir);
            return finish(CliTraining.watch(listener -> Mnistlab.resume(resume, options, listener)));
        }
        TrainOptions options = TrainOptions.defaults().withOut(out).withForce(force).withThreads(threads.threads)
                .withDataDir(dataDir.dir).withLimitTrain(limitTrain).withValidation(validation).withStopAfter(stopAfter);
        Experiment exp = resolved();
        return finish(CliTraining.watch(listener -> Mnistlab.train(exp, options, listener)));
    }

    /**
     * A child (--request) ends when the process that started it ends, however that ends: a worker killed hard leaves
     * no training behind that nobody will store, and its folder is free when another worker takes the trial.
     */
    private static void stopWithParent() {
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> {
            System.err.println("mnistlab: the process that started this training ended; stopping");
            Runtime.getRuntime().halt(4);
        }));
    }

    /** The experiment the options name: a preset or file, its recipe replaced and overridden as asked. */
    private Experiment resolved() {
        Experiment loaded = experiment.load();
        Recipe recipe = recipeFile != null ? Mnistlab.recipe(recipeFile) : loaded.recipe();
        if (epochs != null) {
            recipe = recipe.withEpochs(epochs);
        }
        if (batchSize != null) {
            recipe = recipe.withBatchSize(batchSize);
        }
        if (lr != null) {
            recipe = recipe.withLr(lr);
        }
        if (seed != null) {
            recipe = recipe.withSeed(seed);
        }
        recipe.validate("command line");
        return loaded.withRecipe(recipe);
    }

    private int sweep() {
        if (resume != null || threads.threads != null || stopAfter != null) {
            throw new MnistlabException("--seeds runs each seed with one thread in its own folder; drop --resume/--threads/--stop-after");
        }
        Experiment exp = resolved();
        List<Long> list = new ArrayList<>();
        for (int i = 0; i < seeds; i++) {
            list.add(exp.recipe().seed() + i);
        }
        int at = parallel != null ? parallel : Math.min(seeds, Runtime.getRuntime().availableProcessors());
        TrainOptions options = TrainOptions.defaults().withOut(out).withDataDir(dataDir.dir).withLimitTrain(limitTrain)
                .withValidation(validation);
        SeedSweep.Result result = Mnistlab.seeds(exp, list, options, at, study.options(), System.out);
        return result.exitCode(strict);
    }

    private void requireOnlyResumeOptions() {
        if (experiment.preset != null || experiment.file != null || recipeFile != null || epochs != null
                || batchSize != null || lr != null || seed != null || limitTrain != null || validation != null
                || out != null || force) {
            throw new MnistlabException("--resume continues the run exactly as recorded in its folder; "
                    + "drop the other experiment options (--data-dir, --threads and --stop-after are allowed)");
        }
    }

    /** What a run ended with: paused, or finished with its best epoch and the constraint check. */
    private int finish(Run run) {
        List<EpochResult> epochs = run.epochs();
        if (!run.finished()) {
            System.out.printf(Locale.ROOT, "%nPaused after epoch %d as asked; continue with: ./mnistlab train --resume %s%n",
                    epochs.size(), run.dir());
            return 0;
        }
        EpochResult best = EpochResult.best(epochs);
        System.out.printf(Locale.ROOT, "%nBest %s accuracy %.2f%% at epoch %d; final %.2f%%. Run folder: %s%n",
                run.evaluationSplit(), best.testAccuracy(), best.epoch(), epochs.get(epochs.size() - 1).testAccuracy(), run.dir());
        System.out.println("Constraints:");
        List<ConstraintCheck.Line> checks = run.checks();
        checks.forEach(line -> System.out.println("  " + line));
        return strict && !ConstraintCheck.allPass(checks) ? 1 : 0;
    }
}
