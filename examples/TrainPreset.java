import dev.mnistlab.api.Experiment;
import dev.mnistlab.api.Mnistlab;
import dev.mnistlab.api.Run;
import dev.mnistlab.api.TrainOptions;
import java.nio.file.Path;

/**
 * Trains a preset and prints the constraint check; exits 0 when every constraint passes.
 *   java -cp "target/mnistlab.jar:target/lib/*" examples/TrainPreset.java [PRESET [EPOCHS [IMAGES]]]
 * e.g. {@code examples/TrainPreset.java seed003} trains write-up 003's model for its 15 epochs.
 */
public class TrainPreset {
    public static void main(String[] args) {
        String preset = args.length > 0 ? args[0] : "default";
        Experiment experiment = Experiment.preset(preset);
        if (args.length > 1) {
            int epochs = Integer.parseInt(args[1]);
            experiment = experiment.withRecipe(r -> r.withEpochs(epochs));
        }
        TrainOptions options = TrainOptions.defaults().withOut(Path.of("runs", "example-" + preset)).withForce(true);
        if (args.length > 2) {
            options = options.withLimitTrain(Integer.parseInt(args[2]));
        }
        Run run = Mnistlab.train(experiment, options);
        System.out.printf("%s: %,d parameters, %d epochs in %s%n", preset, run.parameters(), run.epochs().size(), run.dir());
        System.out.println("Constraints:");
        run.checks().forEach(line -> System.out.println("  " + line));
        System.exit(run.passed() ? 0 : 1);
    }
}
