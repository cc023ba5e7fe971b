package dev.mnistlab.cli;

import dev.mnistlab.data.MnistData;
import dev.mnistlab.data.MnistSource;
import dev.mnistlab.infer.TrainedModel;
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
        try (TrainedModel model = TrainedModel.load(run)) {
            MnistData data = MnistSource.load(dataDir, System.out::println);
            System.out.printf("Evaluating %s (%s) on %d %s images%n", model.experiment().name(), run,
                    data.test().count(), data.test().name());
            System.out.print(model.evaluate(data.test()).text());
        }
        return 0;
    }
}
