package dev.mnistlab.cli;

import dev.mnistlab.MnistlabException;
import dev.mnistlab.data.MnistData;
import dev.mnistlab.data.MnistSource;
import dev.mnistlab.model.ModelSummary;
import dev.mnistlab.train.ConstraintCheck;
import dev.mnistlab.train.EpochResult;
import dev.mnistlab.train.Experiment;
import dev.mnistlab.train.Progress;
import dev.mnistlab.train.Recipe;
import dev.mnistlab.train.RunFolder;
import dev.mnistlab.train.Training;
import java.nio.file.Path;
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

    @Option(names = "--lr", description = "Override the recipe's (base or max) learning rate.")
    Double lr;

    @Option(names = "--seed", description = "Override the recipe's seed (same seed, machine and threads: same run).")
    Long seed;

    @Option(names = "--threads", description = "Native compute threads (default: all cores).")
    Integer threads;

    @Option(names = "--out", paramLabel = "DIR", description = "Run folder (default runs/<time>-<name>).")
    Path out;

    @Option(names = "--force", description = "Overwrite an existing run folder.")
    boolean force;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Folder with the four MNIST IDX files (raw or .gz); default $MNISTLAB_DATA, then the cache.")
    Path dataDir;

    @Option(names = "--strict", description = "Exit with status 1 when a constraint fails.")
    boolean strict;

    @Override
    public Integer call() {
        Experiment loaded = experiment.load();
        Recipe recipe = recipeFile != null ? Experiment.recipeFile(recipeFile) : loaded.recipe();
        applyOverrides(recipe);
        recipe.validate("command line");
        Experiment exp = loaded.withRecipe(recipe);
        long params = exp.spec().trace().trainableParameters();

        // must happen before the engine loads
        EngineThreads.configure(threads);
        MnistData data = MnistSource.load(dataDir, System.out::println);
        RunFolder folder = RunFolder.create(out, exp.name(), force);
        System.out.printf(Locale.ROOT, "Training %s: %s trainable parameters, %d epochs, batch %d, seed %d -> %s%n",
                exp.name(), ModelSummary.thousands(params), recipe.epochs, recipe.batchSize, recipe.seed, folder.dir());

        Progress progress = new Progress(System.out, System.console() != null);
        Training.Result result = new Training(exp, data, folder, progress, System.out).run();

        EpochResult best = result.epochs().stream().max((a, b) -> Double.compare(a.testAccuracy(), b.testAccuracy())).orElseThrow();
        System.out.printf(Locale.ROOT, "%nBest test accuracy %.2f%% at epoch %d; final %.2f%%. Run folder: %s%n",
                best.testAccuracy(), best.epoch(), result.finalTest().accuracy(), folder.dir());
        System.out.println("Constraints:");
        result.checks().forEach(line -> System.out.println("  " + line));
        if (strict && !ConstraintCheck.allPass(result.checks())) {
            return 1;
        }
        return 0;
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
        if (threads != null && threads < 1) {
            throw new MnistlabException("--threads must be >= 1 (got " + threads + ")");
        }
    }
}
