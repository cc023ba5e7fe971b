package dev.mnistlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mnistlab.train.Experiment;
import dev.mnistlab.train.TrainRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CliTest {

    static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void summaryPrintsTheTorchsummaryTableAndReceptiveFields() {
        CliRun o = run("summary", "--preset", "seed003");
        assertThat(o.code()).isZero();
        assertThat(o.out()).contains("Layer (type)").contains("Conv2d-1").contains("[-1, 8, 26, 26]")
                .contains("Total params: 8,000").contains("rf_out");
    }

    @Test
    void aBadSpecIsOneLineNamingTheLayerWithoutAStackTrace(@TempDir Path dir) throws IOException {
        Path spec = dir.resolve("bad.yaml");
        Files.writeString(spec, "layers:\n  - conv: 8\n  - convolution: 10\n");
        CliRun o = run("summary", spec.toString());
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err().strip()).doesNotContain("\n").contains("bad.yaml layer 2 (convolution)")
                .contains("unknown layer type");
        assertThat(o.err()).doesNotContain("at dev.mnistlab");
    }

    @Test
    void debugShowsTheStackTrace(@TempDir Path dir) throws IOException {
        Path spec = dir.resolve("bad.yaml");
        Files.writeString(spec, "layers: [conv: 0]\n");
        CliRun o = run("summary", spec.toString(), "--debug");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err()).contains("at dev.mnistlab");
    }

    @Test
    void unknownPresetListsTheKnownOnes() {
        CliRun o = run("summary", "--preset", "nope");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err()).contains("no preset named 'nope'").contains("seed003");
    }

    @Test
    void everyCommandHasHelp() {
        // Main's own list, so a command added later is covered without touching this test
        Set<String> commands = new CommandLine(new Main()).getSubcommands().keySet();
        assertThat(commands).hasSizeGreaterThanOrEqualTo(12).contains("train", "search", "serve");
        for (String command : commands) {
            CliRun o = run(command, "--help");
            assertThat(o.code()).as(command).isZero();
            assertThat(o.out()).as(command).contains("Usage: mnistlab " + command);
        }
    }

    @Test
    void aRequestFileHoldsTheWholeRun(@TempDir Path dir) {
        Path file = dir.resolve("r.request.yaml");
        TrainRequest.start(Experiment.preset("seed001"), dir.resolve("run")).write(file);
        CliRun o = run("train", "--request", file.toString(), "--epochs", "3");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err()).contains("--request holds the whole run; give no other options");
        assertThat(run("train", "--help").out()).doesNotContain("--request");
    }
}
