package dev.mnistlab.search;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mnistlab.YamlFiles;
import dev.mnistlab.train.EpochResult;
import dev.mnistlab.train.Experiment;
import dev.mnistlab.train.RunSnapshot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Six workers (each its own connection) finish the six trials of a rung at the same moment: the promotion happens
 * once, to the best three, whichever worker's transaction comes last. On SQLite, and on the PostgreSQL server of
 * MNISTLAB_TEST_PG_URL when there is one.
 */
class StudyStoreTest {

    @Test
    void workersFinishingTogetherPromoteOnceOnSqlite(@TempDir Path dir) throws Exception {
        String file = dir.resolve("study.db").toString();
        promoteOnce(() -> StudyStore.open(file));
    }

    @Test
    void workersFinishingTogetherPromoteOnceOnPostgres() throws Exception {
        String url = System.getenv("MNISTLAB_TEST_PG_URL");
        org.junit.jupiter.api.Assumptions.assumeTrue(url != null || System.getenv("CI") != null, "no PostgreSQL server");
        promoteOnce(() -> StudyStore.open(url));
    }

    private static void promoteOnce(java.util.function.Supplier<StudyStore> open) throws Exception {
        String study = "together-" + UUID.randomUUID().toString().substring(0, 8);
        String experiment = YamlFiles.write(Experiment.preset("seed001"));
        List<StudyStore.NewTrial> trials = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            trials.add(new StudyStore.NewTrial("t0" + i, "trials/t0" + i, null, experiment, 1000, 500, null, 1));
        }
        List<StudyStore> workers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            workers.add(open.get());
        }
        workers.get(0).createOrJoin(study, "search", "test", "data", new StudyPlan(List.of(1, 2), 2, 1, 1), trials);
        List<StudyStore.Claim> claims = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            StudyStore.Claim claim = workers.get(i).claim("w" + i, study, "data", Duration.ofMinutes(1)).orElseThrow();
            double accuracy = 90 + claim.trial().id(); // t06 best, t01 worst
            assertThat(workers.get(i).progress(claim, new RunSnapshot(1, "experiment", "run: {}",
                    List.of(new EpochResult(1, 0.1, 0.5, 80, 0.3, accuracy, 1)), new byte[] {1, 2, 3}), Duration.ofMinutes(1)))
                    .isTrue();
            claims.add(claim);
        }
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<Boolean>> finished = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            StudyStore store = workers.get(i);
            StudyStore.Claim claim = claims.get(i);
            finished.add(pool.submit(() -> {
                go.await();
                return store.finish(claim, null);
            }));
        }
        go.countDown();
        for (Future<Boolean> f : finished) {
            assertThat(f.get()).isTrue();
        }
        pool.shutdown();

        StudyStore store = workers.get(0);
        assertThat(store.study(study).stage()).isEqualTo(1);
        assertThat(store.events(study).stream().filter(e -> e.contains("promoted")).map(e -> e.substring(0, 3)))
                .containsExactlyInAnyOrder("t04", "t05", "t06");
        assertThat(store.trials(study)).filteredOn(t -> t.stage() == 1)
                .allMatch(t -> t.state().equals(StudyStore.QUEUED) && t.targetEpochs() == 2).hasSize(3);
        workers.forEach(StudyStore::close);
    }
}
