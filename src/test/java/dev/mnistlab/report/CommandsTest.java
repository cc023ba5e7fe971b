package dev.mnistlab.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mnistlab.cli.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** report, compare and journey as the user types them. */
class CommandsTest {

    static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void reportRegeneratesTheFilesOfARun(@TempDir Path tmp) throws IOException {
        Path runDir = SyntheticRun.write(tmp.resolve("run"));
        CliRun o = run("report", runDir.toString());
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(o.out()).contains("report.html");
        ReportsTest.PLOTS.forEach(p -> assertThat(runDir.resolve(p)).isNotEmptyFile());
        assertThat(runDir.resolve("report.md")).isNotEmptyFile();
    }

    @Test
    void reportOnAFolderThatIsNoRunIsOneLineAndExitTwo(@TempDir Path tmp) {
        CliRun o = run("report", tmp.toString());
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err().strip()).doesNotContain("\n").contains("has no experiment.yaml");
    }

    @Test
    void compareWritesTheTableAndOverlayForAnyRuns(@TempDir Path tmp) throws IOException {
        Path a = SyntheticRun.write(tmp.resolve("runA"), "seed001", 0.0);
        Path b = SyntheticRun.write(tmp.resolve("runB"), "seed001", -0.2);
        Path out = tmp.resolve("cmp");
        CliRun o = run("compare", a.toString(), b.toString(), "--out", out.toString());
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(o.out()).contains("| runA |").contains("| runB |").contains("vs runA: params +0, best test -0.15 pp, worst of last 3 -0.20 pp");
        assertThat(out.resolve("comparison.md")).isNotEmptyFile();
        assertThat(out.resolve("comparison.html")).isNotEmptyFile();
        assertThat(out.resolve("comparison-accuracy.png")).isNotEmptyFile();
    }

    @Test
    void journeyRefusesABadFileBeforeTraining(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("j.yaml");
        Files.writeString(file, "steps:\n  - {name: a, preset: nosuch}\n");
        CliRun o = run("journey", file.toString(), "--out", tmp.resolve("out").toString());
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err().strip()).doesNotContain("\n").contains("no preset named 'nosuch'");
        assertThat(run("journey", file.toString(), "--epochs", "0").err()).contains("--epochs must be >= 1");
    }

    @Test
    void journeyCheckListsEveryStepWithoutTraining(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("j.yaml");
        Files.writeString(file, "steps:\n  - {name: a, preset: seed001, reported: {params: 7753}}\n  - {name: b, preset: seed003}\n");
        CliRun o = run("journey", file.toString(), "--check", "--out", tmp.resolve("out").toString());
        assertThat(o.code()).isZero();
        assertThat(o.out()).contains("1. a").contains("7,753 params (write-up: 7,753), 15 epoch(s)")
                .contains("2. b").contains("8,000 params, 15 epoch(s)");
        assertThat(tmp.resolve("out")).doesNotExist();
    }

    @Test
    void theCommandsAreListedInHelp() {
        assertThat(run("--help").out()).contains("report").contains("journey").contains("compare");
    }
}
