package dev.mnistlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real training processes, killed and resumed. The metrics must match an uninterrupted run of the same
 * seed exactly (all columns but the wall-clock seconds): every epoch reseeds every random stream, and
 * the checkpoint carries weights, BatchNorm statistics and momentum buffers bit for bit.
 */
class ResumeProcessTest {

    private static final List<String> RUN = List.of("train", "--preset", "seed001", "--epochs", "3",
            "--limit-train", "4000", "--threads", "1");

    @Test
    void sigkillMidEpochThenResumeEqualsAnUninterruptedRun(@TempDir Path dir) throws Exception {
        Path whole = dir.resolve("whole");
        Path killed = dir.resolve("killed");
        assertThat(run(args("--out", whole.toString())).waitFor()).isZero();

        Child victim = run(args("--out", killed.toString()));
        waitForEpochs(victim, killed, 1);
        Thread.sleep(300); // well into the second epoch
        victim.destroyForcibly().waitFor(); // SIGKILL on Linux
        assertThat(epochsIn(killed)).isBetween(1, 2);

        Child resumed = run(List.of("train", "--resume", killed.toString()));
        assertThat(resumed.waitFor()).isZero();
        assertThat(output(resumed)).contains("Resuming " + killed);
        assertThat(withoutSeconds(killed)).isEqualTo(withoutSeconds(whole));
        try (var files = Files.list(killed)) {
            assertThat(files.map(p -> p.getFileName().toString())).contains("weights.params", "predictions.csv")
                    .noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    @Test
    void pausedRunsContinueToTheSameResultAndValidationNeverTouchesTheTestSet(@TempDir Path dir) throws Exception {
        Path whole = dir.resolve("whole");
        Path paused = dir.resolve("paused");
        Child straight = run(args("--validation", "1000", "--out", whole.toString()));
        assertThat(straight.waitFor()).isZero();
        assertThat(output(straight)).contains("Validation set: Average loss").doesNotContain("Test set:")
                .contains("Validating on the last 1,000 training images").contains("Best validation accuracy");
        assertThat(Files.readString(whole.resolve("run.yaml"))).contains("validation: 1000");

        Child first = run(args("--validation", "1000", "--stop-after", "1", "--out", paused.toString()));
        assertThat(first.waitFor()).isZero();
        assertThat(output(first)).contains("Paused after epoch 1").contains("--resume " + paused);
        assertThat(epochsIn(paused)).isEqualTo(1);
        assertThat(Files.readString(paused.resolve("run.yaml"))).contains("status: paused");
        assertThat(run(List.of("train", "--resume", paused.toString(), "--stop-after", "2")).waitFor()).isZero();
        assertThat(epochsIn(paused)).isEqualTo(2);
        Child last = run(List.of("train", "--resume", paused.toString()));
        assertThat(last.waitFor()).isZero();
        assertThat(output(last)).contains("Best validation accuracy");
        assertThat(withoutSeconds(paused)).isEqualTo(withoutSeconds(whole));
        assertThat(Files.readString(paused.resolve("run.yaml"))).contains("status: finished");
    }

    @Test
    void interruptSaysWhereTheCheckpointIsAndHowToResume(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        Child p = run(args("--out", run.toString()));
        waitForEpochs(p, run, 1);
        // a shell running this build in the background ignores SIGINT for its children (the child inherits that, and
        // a fast run would finish while we waited on it); TERM takes the same path
        signal(p, ignoresInterrupts(p) ? "TERM" : "INT");
        p.waitFor(20, TimeUnit.SECONDS);
        String out = output(p);
        assertThat(out).contains("last good checkpoint is after epoch").contains("./mnistlab train --resume " + run);
        assertThat(out).doesNotContain("Exception");
    }

    private static List<String> args(String... extra) {
        List<String> all = new ArrayList<>(RUN);
        all.addAll(List.of(extra));
        return all;
    }

    /** A child JVM running the CLI, its output captured in a file. */
    private record Child(Process process, Path log) {
        int waitFor() throws InterruptedException {
            return process.waitFor();
        }

        boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
            return process.waitFor(timeout, unit);
        }

        Process destroyForcibly() {
            return process.destroyForcibly();
        }
    }

    private static Child run(List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(args);
        Path log = Files.createTempFile("mnistlab-child", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new Child(process, log);
    }

    private static String output(Child child) throws IOException {
        return Files.readString(child.log());
    }

    /** Whether the child ignores SIGINT: bit 2 (signal 2) of SigIgn in its /proc status. */
    private static boolean ignoresInterrupts(Child child) throws Exception {
        for (String line : java.nio.file.Files.readAllLines(Path.of("/proc", Long.toString(child.process().pid()), "status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & 0x2) != 0;
            }
        }
        return false;
    }

    private static void signal(Child child, String name) throws Exception {
        new ProcessBuilder("kill", "-" + name, Long.toString(child.process().pid())).start().waitFor();
    }

    private static void waitForEpochs(Child child, Path run, int epochs) throws Exception {
        for (int i = 0; i < 3000 && epochsIn(run) < epochs && child.process().isAlive(); i++) {
            Thread.sleep(100);
        }
        assertThat(epochsIn(run)).as("epochs finished in %s; output:%n%s", run, output(child))
                .isGreaterThanOrEqualTo(epochs);
    }

    private static int epochsIn(Path run) throws IOException {
        Path metrics = run.resolve("metrics.csv");
        return Files.exists(metrics) ? (int) Files.readAllLines(metrics).stream().skip(1).count() : 0;
    }

    private static List<String> withoutSeconds(Path run) throws IOException {
        return Files.readAllLines(run.resolve("metrics.csv")).stream()
                .map(line -> line.substring(0, line.lastIndexOf(','))).toList();
    }
}
