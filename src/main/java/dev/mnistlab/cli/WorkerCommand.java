package dev.mnistlab.cli;

import dev.mnistlab.api.Mnistlab;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "worker", mixinStandardHelpOptions = true,
        description = {"Train the trials of the studies in a store (searches and seed sweeps started with --storage), "
                + "one thread each, until they are finished. Start one on every machine that should help; a worker that "
                + "dies loses its trials after the lease and another one resumes them from their last stored epoch. "
                + "A study not in the store yet is waited for (a worker may start before its search); Ctrl-C gives the "
                + "trials in training back at once."})
final class WorkerCommand implements Callable<Integer> {

    @Option(names = "--storage", required = true, paramLabel = "URL",
            description = "The study store: postgresql://[user[:password]@]host[:port]/db, or an existing SQLite file "
                    + "(workers on one machine only).")
    String storage;

    @Option(names = "--study", paramLabel = "NAME", description = "Work on this study only, waiting for it if it is not in the store yet (default: every study "
                    + "in the store on this machine's MNIST files).")
    String study;

    @Option(names = "--parallel", paramLabel = "P", description = "Trainings at once, one thread each (default: one per core).")
    Integer parallel;

    @Option(names = "--lease", paramLabel = "SECONDS", defaultValue = "60",
            description = "How long a claimed trial stays this worker's without renewal (at least 5; default: ${DEFAULT-VALUE}).")
    int lease;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs/worker",
            description = "Where run folders go, one folder per study (default: ${DEFAULT-VALUE}).")
    Path out;

    @Mixin
    DataDirOption dataDir = new DataDirOption();

    @Override
    public Integer call() {
        Checks.positive("--parallel", parallel);
        Checks.lease(lease);
        int at = parallel != null ? parallel : Runtime.getRuntime().availableProcessors();
        int trained = Mnistlab.worker(storage, study, out, dataDir.dir, at, Duration.ofSeconds(lease), System.out);
        System.out.println("Nothing left to train: " + trained + " trainings ran here.");
        return 0;
    }
}
