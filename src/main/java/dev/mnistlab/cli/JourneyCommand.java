package dev.mnistlab.cli;

import dev.mnistlab.api.Mnistlab;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "journey", mixinStandardHelpOptions = true,
        description = {"Run a journey's steps in order (reusing finished runs of the same spec and recipe) and write "
                + "journey.md and journey.html: one row per step with target, results and analysis, plus all test curves.",
                "Example: ./mnistlab journey journeys/seed001.yaml --threads 1"})
final class JourneyCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "The journey YAML (steps: name, target, preset/spec/model, recipe, overrides).")
    Path file;

    @Option(names = "--out", paramLabel = "DIR", description = "Folder for the step runs and the journal (default runs/journey-<name>, or runs/journey-<name>-<N>ep with --epochs).")
    Path out;

    @Mixin
    ThreadsOption threads = new ThreadsOption();

    @Option(names = "--epochs", description = "Train every step for this many epochs instead (a quick check of the journey).")
    Integer epochs;

    @Mixin
    DataDirOption dataDir = new DataDirOption();

    @Option(names = "--check", description = "Check every step and list its parameters and epochs; train nothing.")
    boolean check;

    @Override
    public Integer call() {
        Checks.positive("--epochs", epochs);
        if (check) {
            for (Mnistlab.JourneyStep step : Mnistlab.journeySteps(file)) {
                System.out.printf(Locale.ROOT, "%-32s %,7d params%s, %d epoch(s)%n", step.label(),
                        step.experiment().model().parameters(),
                        step.reportedParams() == null ? "" : String.format(Locale.ROOT, " (write-up: %,d)", step.reportedParams()),
                        epochs != null ? epochs : step.experiment().recipe().epochs());
            }
            return 0;
        }
        threads.configure();
        Mnistlab.Journal journal = Mnistlab.journey(file, epochs, out, threads.threads, dataDir.dir, System.out);
        System.out.println("Journal: " + journal.html() + " (and journey.md)");
        return 0;
    }
}
