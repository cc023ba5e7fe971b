package dev.mnistlab.train;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A {@code mnistlab train} in a child process, its output appended to a log. Seed sweeps and searches
 * train this way: libtorch's random generator is per process, so a child's digits do not depend on what
 * runs beside it.
 */
public final class ChildTraining {

    private ChildTraining() {}

    /** Runs {@code command} to its end and returns its exit code; an interrupt stops it at once. */
    public static int run(List<String> command, Path log) throws IOException, InterruptedException {
        return run(command, log, new ArrayList<>());
    }

    /**
     * Runs {@code command} to its end and returns its exit code. While it runs the process is in
     * {@code running}, so a shutdown hook can stop it; an interrupt stops it at once.
     */
    public static int run(List<String> command, Path log, Collection<Process> running)
            throws IOException, InterruptedException {
        Files.createDirectories(log.toAbsolutePath().getParent());
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(Redirect.appendTo(log.toFile())).start();
        running.add(p);
        try {
            return p.waitFor();
        } catch (InterruptedException e) {
            p.destroy();
            throw e;
        } finally {
            running.remove(p);
        }
    }
}
