package dev.mnistlab.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mnistlab.report.SyntheticRun;
import dev.mnistlab.train.RunState.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one reading of a run folder that resume, seed sweeps, journeys and searches share. */
class RunStateTest {

    @Test
    void statusFollowsRunYamlAndTheCheckpoint(@TempDir Path dir) throws IOException {
        Path run = SyntheticRun.write(dir.resolve("run"));
        assertThat(RunState.of(run).status()).isEqualTo(Status.FINISHED);
        assertThat(RunState.of(run).resumable()).as("no checkpoint").isFalse();

        setStatus(run, "running"); // died before its first checkpoint
        assertThat(RunState.of(run).status()).isEqualTo(Status.NONE);
        Files.writeString(run.resolve(RunFolder.CHECKPOINT), "x");
        assertThat(RunState.of(run).status()).isEqualTo(Status.STOPPED);
        assertThat(RunState.of(run).resumable()).isTrue();
        setStatus(run, "paused");
        assertThat(RunState.of(run).status()).isEqualTo(Status.STOPPED);
        setStatus(run, "finished");
        assertThat(RunState.of(run).status()).isEqualTo(Status.FINISHED);
        assertThat(RunState.of(run).resumable()).as("a finished run can be evaluated again").isTrue();

        assertThat(RunState.of(dir.resolve("empty")).status()).isEqualTo(Status.NONE);
        assertThat(RunState.of(dir.resolve("empty")).recorded()).isFalse();
    }

    @Test
    void aRunFromBeforeRunYamlIsFinishedWhenItsSummaryAndEveryEpochAreThere(@TempDir Path dir) throws IOException {
        Path run = SyntheticRun.write(dir.resolve("run"));
        Files.delete(run.resolve(RunFolder.RUN_INFO));
        assertThat(RunState.of(run).status()).isEqualTo(Status.FINISHED);
        assertThat(RunState.of(run).resumable()).isFalse();

        // a checkpoint came with run.yaml: without run.yaml it is a run that lost its record, not an old one
        Files.writeString(run.resolve(RunFolder.CHECKPOINT), "x");
        assertThat(RunState.of(run).status()).isEqualTo(Status.NONE);
        Files.delete(run.resolve(RunFolder.CHECKPOINT));

        var metrics = Files.readAllLines(run.resolve(RunFolder.METRICS));
        Files.write(run.resolve(RunFolder.METRICS), metrics.subList(0, metrics.size() - 1));
        assertThat(RunState.of(run).status()).as("an epoch short").isEqualTo(Status.NONE);
    }

    @Test
    void holdsComparesModelAndRecipeButNotNamesOrDescriptions(@TempDir Path dir) throws IOException {
        Path run = SyntheticRun.write(dir.resolve("run"));
        Experiment seed001 = Experiment.preset("seed001");
        RunState state = RunState.of(run);
        assertThat(state.recorded()).isTrue();
        assertThat(state.holds(seed001)).isTrue();
        assertThat(state.holds(new Experiment("renamed", "another story", seed001.spec(), seed001.recipe()))).isTrue();
        assertThat(state.holds(seed001.withRecipe(seed001.recipe().withEpochs(14)))).isFalse();
        assertThat(state.holds(seed001.withRecipe(seed001.recipe().withSeed(2)))).isFalse();
        assertThat(state.holds(seed001.withRecipe(seed001.recipe().withLr(0.02)))).isFalse();
        assertThat(state.holds(Experiment.preset("seed003"))).isFalse();
        assertThat(RunState.of(dir.resolve("empty")).holds(seed001)).isFalse();
    }

    @Test
    void aRecordWrittenBeforeASettingExistedStillHoldsTheSameExperiment(@TempDir Path dir) throws IOException {
        // this run was recorded before augment had 'interpolation'; read today, it takes the default
        Path recorded = Path.of("src/test/resources/infer/seed001/experiment.yaml");
        Path run = Files.createDirectories(dir.resolve("run"));
        Files.copy(recorded, run.resolve(RunFolder.EXPERIMENT));
        Experiment wanted = Experiment.file(recorded);
        assertThat(Files.readString(recorded)).doesNotContain("interpolation");
        assertThat(wanted.toYaml()).contains("interpolation: bilinear");
        assertThat(RunState.of(run).holds(wanted)).isTrue();
    }

    private static void setStatus(Path run, String status) throws IOException {
        Path info = run.resolve(RunFolder.RUN_INFO);
        Files.writeString(info, Files.readString(info).replaceAll("status: \\w+", "status: " + status));
    }
}
