package dev.mnistlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {

    record Outcome(int code, String out, String err) {}

    static Outcome run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void summaryPrintsTheTorchsummaryTableAndReceptiveFields() {
        Outcome o = run("summary", "--preset", "seed003");
        assertThat(o.code()).isZero();
        assertThat(o.out()).contains("Layer (type)").contains("Conv2d-1").contains("[-1, 8, 26, 26]")
                .contains("Total params: 8,000").contains("rf_out");
    }

    @Test
    void aBadSpecIsOneLineNamingTheLayerWithoutAStackTrace(@TempDir Path dir) throws IOException {
        Path spec = dir.resolve("bad.yaml");
        Files.writeString(spec, "layers:\n  - conv: 8\n  - convolution: 10\n");
        Outcome o = run("summary", spec.toString());
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err().strip()).doesNotContain("\n").contains("bad.yaml layer 2 (convolution)")
                .contains("unknown layer type");
        assertThat(o.err()).doesNotContain("at dev.mnistlab");
    }

    @Test
    void debugShowsTheStackTrace(@TempDir Path dir) throws IOException {
        Path spec = dir.resolve("bad.yaml");
        Files.writeString(spec, "layers: [conv: 0]\n");
        Outcome o = run("summary", spec.toString(), "--debug");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err()).contains("at dev.mnistlab");
    }

    @Test
    void unknownPresetListsTheKnownOnes() {
        Outcome o = run("summary", "--preset", "nope");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err()).contains("no preset named 'nope'").contains("seed003");
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : new String[] {"train", "summary", "data"}) {
            Outcome o = run(command, "--help");
            assertThat(o.code()).as(command).isZero();
            assertThat(o.out()).as(command).contains("Usage: mnistlab " + command);
        }
    }
}
