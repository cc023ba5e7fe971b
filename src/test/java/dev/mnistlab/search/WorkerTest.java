package dev.mnistlab.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mnistlab.YamlFiles;
import dev.mnistlab.train.EpochResult;
import dev.mnistlab.train.Experiment;
import dev.mnistlab.train.RunSnapshot;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker's decisions around its training processes, with shell scripts standing in for {@code train} (each a
 * second or two, nothing trained): what it stores, gives back, fails or refuses.
 */
class WorkerTest {

    private static final String STUDY = "sweep";
    private static final String EXPERIMENT = YamlFiles.write(Experiment.preset("seed001"));

    /** A store with one seed-sweep trial of one epoch in {@code folder}. */
    private static StudyStore store(Path dir, String folder) {
        StudyStore store = StudyStore.sqlite(dir.resolve("study.db"));
        store.createOrJoin(STUDY, "seeds", "test", "data", StudyPlan.sweep(1),
                List.of(new StudyStore.NewTrial("seed-1", folder, null, EXPERIMENT, 1000, null, null, 1)));
        return store;
    }

    /** A worker whose "training" is {@code script} (sh, the request's options ignored), run folders in dir/runs. */
    private static Worker worker(StudyStore store, Path dir, String script) {
        ChildTraining children = new ChildTraining(List.of("sh", "-c", script, "sh"));
        return new Worker(store, children, new Worker.Options(STUDY, name -> dir.resolve("runs"), dir, "data", 1,
                Duration.ofSeconds(30)), null);
    }

    @Test
    void anOldRunInAFreshTrialsFolderIsNotTakenForItsProgress(@TempDir Path dir) {
        // a finished run of some other experiment, left by an earlier study with the same --out
        byte[] checkpoint = ByteBuffer.allocate(8).putInt(0x4d4e4c33).putInt(1).array();
        new RunSnapshot(1, YamlFiles.write(Experiment.preset("seed000")), "{}\n",
                List.of(new EpochResult(1, 0.1, 0.2, 99.9, 0.1, 99.9, 1)), checkpoint).restore(dir.resolve("runs/seed-1"));
        try (StudyStore store = store(dir, "seed-1")) {
            worker(store, dir, "sleep 2").run(); // trains nothing, long enough for a sync to look at the folder
            assertThat(store.epochs(STUDY)).isEmpty();
            assertThat(store.trials(STUDY).get(0).state()).isEqualTo(StudyStore.FAILED);
            assertThat(store.trials(STUDY).get(0).message()).isEqualTo("stopped after epoch 0 of 1");
        }
        assertThat(dir.resolve("runs/seed-1").toFile().list()).containsExactly(".lock");
    }

    @Test
    void aTrainingKilledByASignalIsGivenBackNotFailed(@TempDir Path dir) {
        Path marker = dir.resolve("signalled");
        try (StudyStore store = store(dir, "seed-1")) {
            // the first time it dies as Ctrl-C kills it (exit 130); the second time it ends without training
            worker(store, dir, "if [ -e '" + marker + "' ]; then exit 0; fi; touch '" + marker + "'; exit 130").run();
            assertThat(store.events(STUDY)).anyMatch(e -> e.contains("given back"))
                    .noneMatch(e -> e.contains("exit 130"));
            assertThat(store.trials(STUDY).get(0).attempt()).isEqualTo(2);
        }
    }

    @Test
    void aStoppedWorkerGivesItsTrialsBackBeforeItReturnsAndSaysItStopped(@TempDir Path dir) throws Exception {
        try (StudyStore store = store(dir, "seed-1")) {
            Worker worker = worker(store, dir, "exec sleep 60");
            CompletableFuture<Integer> run = CompletableFuture.supplyAsync(worker::run);
            for (int i = 0; i < 200 && !store.trials(STUDY).get(0).state().equals(StudyStore.RUNNING); i++) {
                Thread.sleep(50);
            }
            Thread.sleep(500); // the child is started
            CompletableFuture.runAsync(worker::stop); // what the shutdown hook does on Ctrl-C
            assertThatThrownBy(() -> run.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(Worker.Stopped.class)
                    .hasMessageContaining("run the same command again to continue");
            // given back before run() ended, so the caller may close the store
            assertThat(store.trials(STUDY).get(0).state()).isEqualTo(StudyStore.QUEUED);
            assertThat(store.events(STUDY)).anyMatch(e -> e.contains("given back by its stopping worker"));
        }
    }

    @Test
    void aTrialWhoseFolderLeavesTheStudysFolderIsRefused(@TempDir Path dir) {
        Path marker = dir.resolve("trained");
        try (StudyStore store = store(dir, "../escaped")) {
            worker(store, dir, "touch '" + marker + "'").run();
            StudyStore.Trial trial = store.trials(STUDY).get(0);
            assertThat(trial.state()).isEqualTo(StudyStore.FAILED);
            assertThat(trial.message()).contains("'../escaped'", "not inside the study's folder");
        }
        assertThat(marker).doesNotExist();
        assertThat(dir.resolve("escaped")).doesNotExist();
        assertThat(dir.resolve("escaped.log")).doesNotExist();
    }
}
