package dev.mnistlab.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The examples README points to run as a user runs them, in their own JVM with this build's class path, on a
 * small part of MNIST (from the cache, as every MNIST-backed test).
 */
class ExamplesTest {

    private static final Path EXAMPLES = Path.of("examples").toAbsolutePath();

    @Test
    void theJShellWalkthroughBuildsTrainsChangesOneThingAndCompares(@TempDir Path work) throws Exception {
        String jshell = Path.of(System.getProperty("java.home"), "bin", "jshell").toString();
        Outcome run = run(work, jshell, "--class-path", System.getProperty("java.class.path"), "-R-Dimages=1500",
                EXAMPLES.resolve("Walkthrough.jsh").toString());

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output())
                .contains("step1 (", "parameters, receptive field")
                .contains("Layer (type)", "Trainable params:")
                .contains("rf_out")
                .containsPattern("step 1: \\[EpochResult\\[epoch=1, ")
                .containsPattern("step 2: \\[EpochResult\\[epoch=1, ")
                .contains("Comparison of 2 runs")
                .doesNotContain("Exception", "rror:");
        assertThat(work.resolve("runs/jshell-compare/comparison.html")).isRegularFile();
        assertThat(work.resolve("runs/jshell-step2/metrics.csv")).isRegularFile();
    }

    @Test
    void theSingleFileProgramTrainsAPresetAndPrintsTheConstraintCheck(@TempDir Path work) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Outcome run = run(work, java, "-cp", System.getProperty("java.class.path"),
                EXAMPLES.resolve("TrainPreset.java").toString(), "seed001", "1", "1500");

        // one epoch on 1,500 images cannot reach 99.4%: the check says so and the exit code follows it
        assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
        assertThat(run.output())
                .contains("seed001: 7,753 parameters, 1 epochs in runs/example-seed001")
                .contains("Constraints:", "PASS  trainable params 7,753 < 8,000", "PASS  epochs 1 <= 15")
                .containsPattern("FAIL  test accuracy >= 99.40% in each of the last 3 epochs");
        assertThat(work.resolve("runs/example-seed001/report.html")).isRegularFile();
    }

    private record Outcome(int exitCode, String output) {}

    private static Outcome run(Path work, String... command) throws IOException, InterruptedException {
        Path log = work.resolve("output.txt");
        List<String> args = new ArrayList<>(List.of(command));
        Process p = new ProcessBuilder(args).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + Files.readString(log, StandardCharsets.UTF_8));
        }
        return new Outcome(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}
