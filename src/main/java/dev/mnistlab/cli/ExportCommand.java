package dev.mnistlab.cli;

import dev.mnistlab.api.Run;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Export a run to PyTorch: the weights as NumPy weights.npz (state_dict names, BatchNorm running "
                + "statistics included) and model.py, which builds the same architecture, loads them and evaluates the "
                + "MNIST test set (python3 DIR/model.py [--data-dir DIR])."})
final class ExportCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "A finished run folder (experiment.yaml + weights.params).")
    Path run;

    @Option(names = "--to", required = true, paramLabel = "DIR", description = "A new or empty folder to write weights.npz and model.py into.")
    Path to;

    @Option(names = "--force", description = "Export into a folder that already holds files, replacing weights.npz and model.py there.")
    boolean force;

    @Override
    public Integer call() {
        for (Path p : Run.open(run).export(to, force)) {
            System.out.println("wrote " + p);
        }
        System.out.println("evaluate it with: python3 " + to.resolve("model.py"));
        return 0;
    }
}
