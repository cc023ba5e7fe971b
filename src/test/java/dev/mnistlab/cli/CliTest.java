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

    /** picocli printed 45 lines of usage after the one line that mattered. */
    @Test
    void aMistypedOptionIsOneLinePointingAtTheHelp() {
        CliRun o = run("train", "--epochs", "1e9");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err()).isEqualTo("mnistlab: Invalid value for option '--epochs': '1e9' is not an int "
                + "(see 'mnistlab train --help')" + System.lineSeparator());
        assertThat(run("summary", "--nope").err().strip()).doesNotContain("\n").contains("Unknown option: '--nope'");
        CliRun big = run("train", "--epochs", "100000");
        assertThat(big.code()).isEqualTo(2);
        assertThat(big.err().strip()).isEqualTo("mnistlab: command line: epochs must be at most 1000 (got 100000)");
    }

    @Test
    void aFolderGivenAsASpecIsSaidToBeAFolder(@TempDir Path dir) {
        CliRun o = run("summary", dir.toString());
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err().strip()).isEqualTo("mnistlab: " + dir + ": is a folder, not a YAML file");
    }

    /** A hard-budget refusal came from inside training, after the run folder was made, and left it empty. */
    @Test
    void whatTrainingWouldRefuseIsRefusedBeforeTheRunFolderIsMade(@TempDir Path dir) throws IOException {
        Path spec = Files.writeString(dir.resolve("big.yaml"), "model:\n  layers:\n    - conv: {out: 10, kernel: 28}\n"
                + "recipe:\n  constraints: {max_params: 100, hard_budget: true}\n");
        CliRun o = run("train", spec.toString(), "--out", dir.resolve("run").toString());
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err().strip()).isEqualTo("mnistlab: big has 7,840 trainable parameters, over the hard budget of fewer "
                + "than 100; shrink the model or raise constraints.max_params");
        assertThat(dir.resolve("run")).doesNotExist();

        // the conv of 100,000 channels: "unexpected error: can't allocate 34611200000 bytes", exit 3
        Path wide = Files.writeString(dir.resolve("wide.yaml"), "model:\n  layers:\n    - conv: {out: 100000, padding: 1}\n"
                + "    - gap\n    - conv: {out: 10, kernel: 1}\nrecipe:\n  batch_size: 4096\n");
        CliRun tooBig = run("train", wide.toString(), "--out", dir.resolve("run").toString());
        assertThat(tooBig.code()).isEqualTo(2);
        assertThat(tooBig.err().strip()).doesNotContain("\n").startsWith("mnistlab: " + wide + " model layer 1 (conv): "
                + "training a batch of 4096 images needs about");
        assertThat(dir.resolve("run")).doesNotExist();
    }
}
