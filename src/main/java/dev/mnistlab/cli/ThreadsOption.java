package dev.mnistlab.cli;

import picocli.CommandLine.Option;

/** The --threads option shared by the commands that run the engine, checked and applied the same way. */
final class ThreadsOption {

    @Option(names = "--threads", description = "Native compute threads (default: all cores).")
    Integer threads;

    /** Checks the value and hands it to the engine; must run before DJL loads. */
    void configure() {
        Checks.positive("--threads", threads);
        EngineThreads.configure(threads);
    }
}
