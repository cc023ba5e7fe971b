package dev.mnistlab.cli;

import dev.mnistlab.api.Mnistlab;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "study", mixinStandardHelpOptions = true, description = "Look at the studies in a store.",
        subcommands = {StudyCommand.Status.class, StudyCommand.Results.class})
final class StudyCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing subcommand: status or results");
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Print each trial: state, rung, worker, epochs done, validation and test scores.")
    static final class Status implements Runnable {
        @Option(names = "--storage", required = true, paramLabel = "URL", description = "The study store.")
        String storage;

        @Option(names = "--study", paramLabel = "NAME", description = "This study only (default: all).")
        String study;

        @Override
        public void run() {
            System.out.print(Mnistlab.studyStatus(storage, study));
        }
    }

    @Command(name = "results", mixinStandardHelpOptions = true,
            description = "Write a finished search study's results.md and best.yaml, as search does.")
    static final class Results implements Runnable {
        @Option(names = "--storage", required = true, paramLabel = "URL", description = "The study store.")
        String storage;

        @Option(names = "--study", required = true, paramLabel = "NAME", description = "The search study.")
        String study;

        @Option(names = "--out", paramLabel = "DIR", description = "Folder for the files (default: runs/<study>).")
        Path out;

        @Override
        public void run() {
            Mnistlab.studyResults(storage, study, out != null ? out : Path.of("runs", study), System.out);
        }
    }
}
