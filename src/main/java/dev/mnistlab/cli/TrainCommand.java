package dev.mnistlab.cli;

import dev.mnistlab.MnistlabException;
import dev.mnistlab.data.MnistData;
import dev.mnistlab.data.MnistSource;
import dev.mnistlab.model.ModelSummary;
import dev.mnistlab.report.Reports;
import dev.mnistlab.train.ConstraintCheck;
import dev.mnistlab.train.EpochResult;
import dev.mnistlab.train.Experiment;
import dev.mnistlab.train.Progress;
import dev.mnistlab.train.Recipe;
import dev.mnistlab.train.RunFolder;
import dev.mnistlab.train.RunInfo;
import dev.mnistlab.train.Training;
import dev.mnistlab.train.SeedSweep;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

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

    @Override
    public Integer call() {
        Checks.positive("--threads", threads.threads);
        Checks.positive("--limit-train", limitTrain);
        Checks.positive("--seeds", seeds);
        Checks.positive("--parallel", parallel);
        Checks.positive("--validation", validation);
        Checks.positive("--stop-after", stopAfter);
        if (seeds != null) {
            return sweep();
        }
        return resume != null ? resume() : fresh();
    }

    private int sweep() {
        if (resume != null || threads.threads != null || stopAfter != null) {
            throw new MnistlabException("--seeds runs each seed with one thread in its own folder; drop --resume/--threads/--stop-after");
        }
        Experiment loaded = experiment.load();
        Recipe recipe = recipeFile != null ? Experiment.recipeFile(recipeFile) : loaded.recipe();
        applyOverrides(recipe);
        recipe.validate("command line");
        MnistSource.load(dataDir.dir, System.out::println); // fetch once, not in every child
        List<String> trainCommand = Main.childTrainCommand();
        List<String> child = new ArrayList<>();
        if (experiment.file != null) {
            child.add(experiment.file.toString());
        } else {
            child.addAll(List.of("--preset", experiment.preset != null ? experiment.preset : "default"));
        }
        addIf(child, "--recipe", recipeFile);
        addIf(child, "--epochs", epochs);
        addIf(child, "--batch-size", batchSize);
        addIf(child, "--lr", lr);
        addIf(child, "--limit-train", limitTrain);
        addIf(child, "--validation", validation);
        addIf(child, "--data-dir", dataDir.dir);
        List<Long> list = new ArrayList<>();
        for (int i = 0; i < seeds; i++) {
            list.add(recipe.seed + i);
        }
        Path dir = out != null ? out : Path.of("runs", java.time.LocalDateTime.now()
                .format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-" + loaded.name() + "-seeds");
        int at = parallel != null ? parallel : Math.min(seeds, Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "Training %s with seeds %s, %d at a time, one thread each -> %s%n",
                loaded.name(), list, at, dir);
        List<SeedSweep.SeedResult> results = SeedSweep.run(trainCommand, child, loaded.withRecipe(recipe), list, dir, at,
                System.out);
        return strict && !results.stream().allMatch(r -> r.exitCode() == 0 && ConstraintCheck.allPass(r.checks())) ? 1 : 0;
    }

    private static void addIf(List<String> args, String option, Object value) {
        if (value != null) {
            args.addAll(List.of(option, value.toString()));
        }
    }

    private int fresh() {
        Experiment loaded = experiment.load();
        Recipe recipe = recipeFile != null ? Experiment.recipeFile(recipeFile) : loaded.recipe();
        applyOverrides(recipe);
        recipe.validate("command line");
        Experiment exp = loaded.withRecipe(recipe);
        exp.spec().trace();

        threads.configure();
        MnistData data = limited(heldOut(MnistSource.load(dataDir.dir, System.out::println), validation), limitTrain);
        RunFolder folder = RunFolder.create(out, exp.name(), force);
        System.out.printf(Locale.ROOT, "Training %s: %s trainable parameters, %d epochs, batch %d, seed %d -> %s%n",
                exp.name(), ModelSummary.thousands(exp.spec().trace().trainableParameters()), recipe.epochs,
                recipe.batchSize, recipe.seed, folder.dir());
        if (data.validating()) {
            System.out.printf(Locale.ROOT, "Validating on the last %,d training images; the test set is not used%n",
                    data.test().count());
        }
        return train(new Training(exp, data, folder), folder);
    }

    private int resume() {
        if (experiment.preset != null || experiment.file != null || recipeFile != null || epochs != null
                || batchSize != null || lr != null || seed != null || limitTrain != null || validation != null
                || out != null) {
            throw new MnistlabException("--resume continues the run exactly as recorded in its folder; "
                    + "drop the other experiment options (--data-dir, --threads and --stop-after are allowed)");
        }
        RunFolder folder = RunFolder.existing(resume);
        Experiment exp = Experiment.file(folder.file(RunFolder.EXPERIMENT));
        RunInfo info = RunInfo.read(folder);
        Integer requested = threads.threads;
        if (requested != null && requested != info.threads) {
            System.out.printf("Note: the run used %d threads; with %d the digits will differ from an uninterrupted run%n",
                    info.threads, requested);
        }
        EngineThreads.configure(requested != null ? requested : info.threads);
        Path dir = dataDir.dir != null ? dataDir.dir : Path.of(info.dataDir);
        MnistData data = limited(heldOut(MnistSource.read(dir, "run.yaml data_dir"), info.validation), info.trainLimit);
        return train(new Training(exp, data, folder).resuming(), folder);
    }

    private int train(Training training, RunFolder folder) {
        training.reportingTo(new Progress(System.out, System.console() != null));
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

        EpochResult best = EpochResult.best(result.epochs());
        System.out.printf(Locale.ROOT, "%nBest %s accuracy %.2f%% at epoch %d; final %.2f%%. Run folder: %s%n",
                result.finalEvaluation().split(), best.testAccuracy(), best.epoch(), result.finalEvaluation().accuracy(),
                folder.dir());
        System.out.println("Constraints:");
        result.checks().forEach(line -> System.out.println("  " + line));
        return strict && !ConstraintCheck.allPass(result.checks()) ? 1 : 0;
    }

    private static MnistData heldOut(MnistData data, Integer count) {
        return count == null ? data : data.holdOut(count);
    }

    private static MnistData limited(MnistData data, Integer limit) {
        return limit == null ? data : data.limitTrain(limit);
    }

    private void applyOverrides(Recipe recipe) {
        if (epochs != null) {
            recipe.epochs = epochs;
        }
        if (batchSize != null) {
            recipe.batchSize = batchSize;
        }
        if (lr != null) {
            recipe.optimizer.lr = lr;
        }
        if (seed != null) {
            recipe.seed = seed;
        }
    }
}
