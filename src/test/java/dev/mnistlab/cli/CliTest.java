package dev.mnistlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        for (String command : new String[] {"train", "summary", "data"}) {
            CliRun o = run(command, "--help");
            assertThat(o.code()).as(command).isZero();
            assertThat(o.out()).as(command).contains("Usage: mnistlab " + command);
        }
    }
}
