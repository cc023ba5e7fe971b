package dev.mnistlab.cli;

import dev.mnistlab.MnistlabException;
import java.io.PrintWriter;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The mnistlab command line: wires the packages together, nothing else. */
@Command(name = "mnistlab", mixinStandardHelpOptions = true, version = "mnistlab 0.1.0",
        description = "Design, train and prove compact CNNs on MNIST.",
        subcommands = {TrainCommand.class, SummaryCommand.class, DataCommand.class,
            ReportCommand.class, JourneyCommand.class, CompareCommand.class,
            EvaluateCommand.class, PredictCommand.class, ServeCommand.class, ExportCommand.class, BenchCommand.class, SearchCommand.class,
            WorkerCommand.class, StudyCommand.class,
            CommandLine.HelpCommand.class})
public final class Main {

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Show stack traces of errors.")
    boolean debug;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        boolean debug = Arrays.asList(args).contains("--debug");
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> report(e, commandLine.getErr(), debug));
        cli.setParameterExceptionHandler((e, ignored) -> usageError(e, debug));
        return cli.execute(args);
    }

    /** A mistyped option is one line pointing at the help, not the whole usage text after it. */
    static int usageError(CommandLine.ParameterException e, boolean debug) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        err.println("mnistlab: " + firstLine(e.getMessage()) + " (see '" + command.getCommandSpec().qualifiedName() + " --help')");
        if (debug) {
            e.printStackTrace(err);
        }
        err.flush();
        return command.getCommandSpec().exitCodeOnInvalidInput();
    }

    private static String firstLine(String s) {
        return s == null ? "invalid arguments" : s.lines().findFirst().orElse(s);
    }

    /** One clear line for the user; the stack trace only on request. */
    static int report(Exception e, PrintWriter err, boolean debug) {
        Throwable cause = e;
        while (!(cause instanceof MnistlabException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof MnistlabException) {
            err.println("mnistlab: " + cause.getMessage());
        } else {
            err.println("mnistlab: unexpected error: " + e + " (rerun with --debug for the stack trace)");
        }
        if (debug) {
            e.printStackTrace(err);
        }
        err.flush();
        return cause instanceof MnistlabException ? 2 : 3;
    }
}
