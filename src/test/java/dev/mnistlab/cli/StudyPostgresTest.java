package dev.mnistlab.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.mnistlab.search.StudyPlan;
import dev.mnistlab.search.StudyStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The study store on a real PostgreSQL server: the one .ci/run starts (see .ci/postgres), named by
 * MNISTLAB_TEST_PG_URL. Without it these tests are skipped on a developer's machine and fail under CI.
 */
class StudyPostgresTest {

    static final String URL = System.getenv("MNISTLAB_TEST_PG_URL");

    @BeforeAll
    static void server() {
        if (System.getenv("CI") != null) {
            assertThat(URL).as("MNISTLAB_TEST_PG_URL: .ci/run starts a PostgreSQL server for these tests").isNotNull();
        }
        assumeThat(URL).as("MNISTLAB_TEST_PG_URL (start a server with: eval \"$(.ci/postgres start /tmp/pg)\")").isNotNull();
    }

    @Test
    void threeWorkersOnePostgresOneKilledMidTrialFinishAsOneWorkerWould(@TempDir Path dir) throws Exception {
        Path reference = StudyWorkersProcessTest.oneWorkerReference(dir);
        StudyWorkersProcessTest.killOneOf(dir, URL, StudyWorkersProcessTest.uniqueStudy(), 2, reference);
    }

    @Test
    void aSeedSweepQueuesItsSeedsInTheServersStudy(@TempDir Path dir) {
        String study = StudyWorkersProcessTest.uniqueStudy();
        CliRun sweep = CliRun.of("train", "--preset", "seed001", "--epochs", "1", "--limit-train", "600", "--seeds", "2",
                "--parallel", "2", "--storage", URL, "--study", study, "--out", dir.resolve("sweep").toString());
        assertThat(sweep.code()).as(sweep.out() + sweep.err()).isZero();
        assertThat(sweep.out()).contains("seed 1 finished in").contains("seed 2 finished in");
        CliRun status = CliRun.of("study", "status", "--storage", URL, "--study", study);
        assertThat(status.out()).contains("Study " + study + " (seeds): finished; 2 of 2 trials done")
                .containsPattern("seed-1 +done +- +\\S+ +1/1 +- +\\d+\\.\\d\\d")
                .containsPattern("seed-2 +done +- +\\S+ +1/1 +- +\\d+\\.\\d\\d");
    }

    @Test
    void wrongCredentialsAreOneLineWithoutThePassword(@TempDir Path dir) {
        String wrong = URL.replaceFirst("://([^:]+):[^@]*@", "://$1:not-the-password@");
        Path out = dir.resolve("search");
        CliRun run = StudyStoreCliTest.search("--storage", wrong, "--out", out.toString());
        StudyStoreCliTest.oneClearLine(run, "cannot connect to PostgreSQL store", "password authentication failed",
                "check the user and password");
        assertThat(run.err()).doesNotContain("not-the-password");
        assertThat(out).doesNotExist();
    }

    @Test
    void aStoreOfAnotherSchemaVersionIsRefusedAndLeftAsItWas() throws Exception {
        String db = "schema_" + StudyWorkersProcessTest.uniqueStudy().replace('-', '_');
        String other = URL.replaceFirst("/[^/?]*$", "/" + db);
        String jdbc = "jdbc:" + other.replaceFirst("://([^:]+):([^@]*)@", "://");
        String user = URL.replaceFirst(".*://([^:]+):.*", "$1");
        String password = URL.replaceFirst(".*://[^:]+:([^@]*)@.*", "$1");
        try (Connection c = DriverManager.getConnection("jdbc:" + URL.replaceFirst("://([^:]+):([^@]*)@", "://"), user, password);
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + db);
        }
        try (Connection c = DriverManager.getConnection(jdbc, user, password); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE mnistlab_schema (version INTEGER NOT NULL)");
            s.execute("INSERT INTO mnistlab_schema VALUES (2)");
        }
        StudyStoreCliTest.oneClearLine(CliRun.of("worker", "--storage", other), "has schema version 2",
                "a newer mnistlab wrote it");
        assertThat(StudyStoreCliTest.tables(jdbc + "?user=" + user + "&password=" + password))
                .containsExactly("mnistlab_schema");
    }

    @Test
    void aStudyOfThatNameWithAnotherSpaceIsRefusedAndNothingIsWritten(@TempDir Path dir) {
        String study = StudyWorkersProcessTest.uniqueStudy();
        try (StudyStore store = StudyStore.open(URL)) {
            store.createOrJoin(study, "search", "settings: {budget: 1500}\n", "x", StudyPlan.sweep(1), List.of());
        }
        Path out = dir.resolve("search");
        StudyStoreCliTest.oneClearLine(StudyStoreCliTest.search("--storage", URL, "--study", study, "--out", out.toString()),
                "study '" + study + "'", "with other settings or another space");
        assertThat(out).doesNotExist();
        try (StudyStore store = StudyStore.open(URL)) {
            assertThat(store.trials(study)).isEmpty();
        }
    }
}
