package dev.mnistlab.cli;

import dev.mnistlab.Folders;
import dev.mnistlab.report.Journey;
import dev.mnistlab.search.JourneyRunner;
import java.nio.file.Path;
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

    @Override
    public Integer call() {
        Checks.positive("--epochs", epochs);
        Journey loaded = Journey.load(file);
        Journey journey = epochs != null ? loaded.withEpochs(epochs) : loaded;
        // must happen before the engine loads
        threads.configure();
        // a quick check gets its own default folder, so it never replaces the journey's full runs
        Path dir = out != null ? out : Path.of("runs", "journey-" + Folders.safeName(journey.name(), file.toString()) + (epochs != null ? "-" + epochs + "ep" : ""));
        new JourneyRunner(dir, dataDir.dir, System.out).run(journey);
        System.out.println("Journal: " + dir.resolve(JourneyRunner.JOURNAL + ".html") + " (and " + JourneyRunner.JOURNAL + ".md)");
        return 0;
    }
}
