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
 * MNISTLAB_TEST_PG_URL when there is one; there also the first use of a fresh database by several processes at once,
 * a study created by two machines at once, and a connection the server drops.
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

    @Test
    void onlyThisMachinesWorkersWhoseProcessIsGoneAndWhoseLeaseIsNotFreshAreGivenBack(@TempDir Path dir) {
        try (StudyStore store = StudyStore.open(dir.resolve("study.db").toString())) {
            String experiment = YamlFiles.write(Experiment.preset("seed001"));
            List<StudyStore.NewTrial> trials = new ArrayList<>();
            for (int i = 1; i <= 4; i++) {
                trials.add(new StudyStore.NewTrial("t0" + i, "trials/t0" + i, null, experiment, 1000, null, null, 1));
            }
            store.createOrJoin("gone", "seeds", "test", "data", StudyPlan.sweep(1), trials);
            Duration lease = Duration.ofSeconds(60);
            // renewed long ago (a 10 s lease taken just now ends 50 s before a fresh 60 s one would)
            store.claim("box_1:111/1", "gone", "data", Duration.ofSeconds(10)).orElseThrow(); // this machine, gone
            store.claim("boxx1:222/1", "gone", "data", Duration.ofSeconds(10)).orElseThrow(); // another machine
            store.claim("box_1:333/1", "gone", "data", Duration.ofSeconds(10)).orElseThrow(); // this machine, alive
            // renewed just now: a live worker in another container of the same host name
            store.claim("box_1:444/1", "gone", "data", lease).orElseThrow();

            assertThat(store.releaseGone("box_1", pid -> pid == 333, lease)).as("one left for now").isTrue();

            assertThat(store.trials("gone")).extracting(StudyStore.Trial::name, StudyStore.Trial::state).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("t01", StudyStore.QUEUED),
                    org.assertj.core.groups.Tuple.tuple("t02", StudyStore.RUNNING),
                    org.assertj.core.groups.Tuple.tuple("t03", StudyStore.RUNNING),
                    org.assertj.core.groups.Tuple.tuple("t04", StudyStore.RUNNING));
        }
    }

    /** A sweep stopped for longer than its lease (SIGSTOP here; a laptop asleep) failed its own live seed. */
    @Test
    void aLapsedTrialOfThisProcessIsNotTakenByItsOtherSlotButIsByAnotherProcess(@TempDir Path dir) throws Exception {
        try (StudyStore store = StudyStore.open(dir.resolve("study.db").toString())) {
            String experiment = YamlFiles.write(Experiment.preset("seed001"));
            store.createOrJoin("asleep", "seeds", "test", "data", StudyPlan.sweep(1),
                    List.of(new StudyStore.NewTrial("t01", "trials/t01", null, experiment, 1000, null, null, 1)));
            Duration lease = Duration.ofSeconds(60);
            StudyStore.Claim held = store.claim("box:111/1", "asleep", "data", Duration.ofMillis(1)).orElseThrow();
            Thread.sleep(50); // the lease lapses while the process is stopped

            assertThat(store.claim("box:111/2", "asleep", "data", lease)).as("its own other slot").isEmpty();
            assertThat(store.progress(held, null, Duration.ofMillis(1))).as("renewed when the process wakes").isTrue();
            Thread.sleep(50);
            assertThat(store.claim("box:222/1", "asleep", "data", lease)).as("another process").isPresent();
            assertThat(store.progress(held, null, lease)).as("lost to it").isFalse();
        }
    }

    @Test
    void manyProcessesFirstUsingAFreshPostgresDatabaseAllGetItsSchema() throws Exception {
        String url = postgres();
        String database = "fresh_" + UUID.randomUUID().toString().substring(0, 8);
        try (java.sql.Connection c = admin(url); java.sql.Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database);
        }
        String fresh = url.replaceFirst("/[^/?]*(\\?.*)?$", "/" + database);
        List<StudyStore> stores = together(8, () -> StudyStore.open(fresh));
        assertThat(stores).hasSize(8);
        stores.forEach(StudyStore::close);
        try (java.sql.Connection c = admin(url); java.sql.Statement s = c.createStatement()) {
            s.execute("DROP DATABASE " + database);
        }
    }

    @Test
    void twoMachinesCreatingOneStudyAtOnceCreateItOnceAndBothJoin() throws Exception {
        String url = postgres();
        String study = "both-" + UUID.randomUUID().toString().substring(0, 8);
        String experiment = YamlFiles.write(Experiment.preset("seed001"));
        List<StudyStore.NewTrial> trials = List.of(new StudyStore.NewTrial("seed-1", "seed-1", null, experiment, 1000,
                null, null, 1));
        List<StudyStore> stores = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            stores.add(StudyStore.open(url));
        }
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        List<Boolean> created = together(6, () -> stores.get(next.getAndIncrement())
                .createOrJoin(study, "seeds", "test", "data", StudyPlan.sweep(1), trials));
        assertThat(created).containsOnlyOnce(true);
        assertThat(stores.get(0).trials(study)).hasSize(1);
        stores.forEach(StudyStore::close);
    }

    @Test
    void aConnectionThePostgresServerDroppedIsOpenedAgain() throws Exception {
        String url = postgres();
        String name = "mnistlab-test-" + UUID.randomUUID().toString().substring(0, 8);
        try (StudyStore store = StudyStore.open(url + (url.contains("?") ? "&" : "?") + "ApplicationName=" + name)) {
            store.createOrJoin("dropped-" + name, "seeds", "test", "data", StudyPlan.sweep(1), List.of());
            try (java.sql.Connection c = admin(url); java.sql.PreparedStatement p = c.prepareStatement(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ?")) {
                p.setString(1, name);
                try (java.sql.ResultSet r = p.executeQuery()) {
                    assertThat(r.next()).as("the store's connection").isTrue();
                }
            }
            assertThat(store.study("dropped-" + name).name()).isEqualTo("dropped-" + name);
            assertThat(store.studies()).isNotEmpty();
        }
    }

    private static String postgres() {
        String url = System.getenv("MNISTLAB_TEST_PG_URL");
        org.junit.jupiter.api.Assumptions.assumeTrue(url != null || System.getenv("CI") != null, "no PostgreSQL server");
        return url;
    }

    /** A plain connection to the test server's database, with the URL's user and password. */
    private static java.sql.Connection admin(String url) throws java.sql.SQLException {
        PostgresUrl parsed = PostgresUrl.parse(url, System.getenv());
        return java.sql.DriverManager.getConnection(parsed.jdbc(), parsed.user(), parsed.password());
    }

    /** {@code n} calls of {@code action} started at the same moment, their results once all are done. */
    private static <T> List<T> together(int n, java.util.concurrent.Callable<T> action) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return action.call();
                }));
            }
            go.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get());
            }
            return results;
        } finally {
            pool.shutdown();
        }
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
