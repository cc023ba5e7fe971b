package dev.mnistlab.cli;

import dev.mnistlab.api.Run;
import dev.mnistlab.train.Evaluation;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluate a run's weights on the test split: accuracy, average loss, per-class accuracy, confusion matrix.")
final class EvaluateCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "A finished run folder (experiment.yaml + weights.params).")
    Path run;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Folder with the four IDX files (raw or .gz) of any 10-class set of the spec's image size; "
                    + "default $MNISTLAB_DATA, then the MNIST cache.")
    Path dataDir;

    @Mixin
    ThreadsOption threads = new ThreadsOption();

    @Override
    public Integer call() {
        threads.configure();
        Run opened = Run.open(run);
        Evaluation evaluation = opened.evaluate(dataDir);
        System.out.printf("Evaluated %s (%s) on %d %s images%n", opened.experiment().name(), run, evaluation.total(),
                evaluation.split());
        System.out.print(evaluation.text());
        return 0;
    }
}
