package dev.mnistlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `train --seeds` with real child processes: a rerun reuses finished seeds and refuses another experiment. */
class SeedSweepProcessTest {

    @Test
    void aRerunReusesFinishedSeedsAndRefusesAnotherRecipe(@TempDir Path dir) throws Exception {
        String out = dir.resolve("sweep").toString();
        String[] args = {"train", "--preset", "seed001", "--epochs", "1", "--limit-train", "600", "--seeds", "2",
                "--out", out};
        CliRun first = CliRun.of(args);
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.out()).contains("seed 1 finished in").contains("seed 2 finished in")
                .contains("Total wall time");
        String table = first.out().substring(first.out().indexOf("Test accuracy over the last"));

        Files.delete(dir.resolve("sweep/seed-2/run.yaml")); // as if seed 2 had died before its first epoch
        CliRun again = CliRun.of(args);
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(again.out()).contains("seed 1 finished before, reused").contains("seed 2 finished in")
                .containsPattern("Total wall time: \\d+ s for 1 seed, \\d+ at a time \\(1 seed reused\\)");
        String tableAgain = again.out().substring(again.out().indexOf("Test accuracy over the last"));
        // same numbers; only the wall time differs
        assertThat(tableAgain.substring(0, tableAgain.indexOf("Total wall time")))
                .isEqualTo(table.substring(0, table.indexOf("Total wall time")));

        CliRun other = CliRun.of("train", "--preset", "seed001", "--epochs", "1", "--limit-train", "600", "--lr", "0.02",
                "--seeds", "2", "--out", out);
        assertThat(other.code()).isNotZero();
        assertThat(other.err()).contains("holds a run of another model or recipe").doesNotContain("Exception");
    }
}
