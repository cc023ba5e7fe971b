package dev.mnistlab.cli;

import dev.mnistlab.api.Experiment;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "summary", mixinStandardHelpOptions = true,
        description = "Print a model's layer table (output shapes, trainable parameters) and receptive-field table.")
final class SummaryCommand implements Callable<Integer> {

    @Mixin
    ExperimentOptions experiment = new ExperimentOptions();

    @Override
    public Integer call() {
        Experiment e = experiment.load();
        System.out.println(e.name() + (e.description().isEmpty() ? "" : ": " + e.description()));
        System.out.println();
        System.out.print(e.model().summary());
        System.out.println();
        System.out.println("Receptive field");
        System.out.print(e.model().receptiveFieldTable());
        return 0;
    }
}
