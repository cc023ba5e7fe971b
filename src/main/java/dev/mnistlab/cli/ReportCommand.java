package dev.mnistlab.cli;

import dev.mnistlab.api.Run;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Regenerate a finished run's plots (accuracy, loss, lr, confusion, misclassified digits), "
                + "report.md and report.html from the files in its folder.",
                "Training writes them at the end of every run; this redraws them, e.g. for an older run."})
final class ReportCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "RUN_DIR", description = "Run folder(s) written by 'mnistlab train'.")
    List<Path> runs;

    @Override
    public Integer call() {
        for (Path run : runs) {
            Run.open(run).report(System.out::println);
        }
        return 0;
    }
}
