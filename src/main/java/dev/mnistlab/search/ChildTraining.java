package dev.mnistlab.search;

import dev.mnistlab.train.TrainRequest;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Trainings in child processes, each a {@code mnistlab train --request FILE} with its output appended to a
 * log. Seed sweeps and searches train this way: libtorch's random generator is per process, so a child's
 * digits do not depend on what runs beside it. The request file lies next to the log, so a child's run can
 * be repeated by hand.
 *
 * @param trainCommand how to start {@code mnistlab train} (without arguments)
 */
public record ChildTraining(List<String> trainCommand) {

    /**
     * Children started with this JVM's Java and class path, running the command line's {@code train}
     * (named, not imported: the command line is built on this package, not the other way round).
     */
    public static ChildTraining ofThisJvm() {
        return new ChildTraining(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.mnistlab.cli.Main", "train"));
    }

    /** The request file beside a child's log: {@code seed-3.log} gets {@code seed-3.request.yaml}. */
    public static Path requestFile(Path log) {
        return log.resolveSibling(log.getFileName().toString().replaceFirst("\\.log$", "") + ".request.yaml");
    }

    /** Runs {@code request} to its end and returns its exit code; an interrupt stops it at once. */
    public int run(TrainRequest request, Path log) throws IOException, InterruptedException {
        return run(request, log, new ArrayList<>());
    }

    /**
     * Runs {@code request} to its end and returns its exit code. While it runs the process is in
     * {@code running}, so a shutdown hook can stop it; an interrupt stops it at once.
     */
    public int run(TrainRequest request, Path log, Collection<Process> running) throws IOException, InterruptedException {
        Files.createDirectories(log.toAbsolutePath().getParent());
        Path file = requestFile(log);
        request.write(file);
        List<String> command = new ArrayList<>(trainCommand);
        command.addAll(List.of("--request", file.toString()));
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
