package dev.mnistlab.cli;

import dev.mnistlab.api.Mnistlab;
import picocli.CommandLine.Option;

/** The --threads option shared by the commands that run the engine, checked and applied the same way. */
final class ThreadsOption {

    @Option(names = "--threads", description = "Compute threads (default: all cores). Training splits every batch over one model copy per thread (shards of at least 32 images).")
    Integer threads;

    /** Checks the value and hands it to the engine; must run before DJL loads. */
    void configure() {
        Checks.positive("--threads", threads);
        Mnistlab.useThreads(threads);
    }
}
