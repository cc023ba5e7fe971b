package dev.mnistlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mnistlab.search.StudyPlan;
import dev.mnistlab.search.StudyStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad stores and studies are refused in one line, with nothing written: SQLite, and a PostgreSQL nobody listens on. */
class StudyStoreCliTest {

    private static final String[] SEARCH = {"search", "--budget", "1500", "--trials", "2", "--min-epochs", "1",
            "--limit-train", "500", "--validation", "200"};

    static CliRun search(String... more) {
        List<String> args = new ArrayList<>(List.of(SEARCH));
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    static void oneClearLine(CliRun run, String... contains) {
        assertThat(run.code()).as(run.out() + run.err()).isEqualTo(2);
        assertThat(run.err().strip()).doesNotContain("\n").startsWith("mnistlab: ").contains(contains)
                .doesNotContain("Exception");
    }

    @Test
    void anUnreachableServerIsOneLineWithoutItsPasswordAndNothingIsWritten(@TempDir Path dir) {
        Path out = dir.resolve("search");
        CliRun run = search("--storage", "postgresql://someone:sekret@127.0.0.1:1/studies", "--out", out.toString());
        oneClearLine(run, "cannot connect to PostgreSQL store postgresql://someone@127.0.0.1:1/studies",
                "is the server running");
        assertThat(run.err()).doesNotContain("sekret");
        assertThat(out).doesNotExist();

        CliRun worker = CliRun.of("worker", "--storage", "postgresql://someone:sekret@127.0.0.1:1/studies");
        oneClearLine(worker, "cannot connect to PostgreSQL store");
        assertThat(worker.err()).doesNotContain("sekret");
    }

    @Test
    void aMistypedSchemeIsOneLineWithoutItsPasswordAndNothingIsWritten(@TempDir Path dir) {
        for (String url : List.of("postgresq://someone:sekret@127.0.0.1:1/studies",
                "jdbc:postgresql://someone:sekret@127.0.0.1:1/studies", "mysql://someone:sekret@127.0.0.1:1/studies")) {
            Path out = dir.resolve("search");
            CliRun run = search("--storage", url, "--out", out.toString());
            oneClearLine(run, "is not a store this mnistlab opens", "write postgresql://");
            assertThat(run.err()).doesNotContain("sekret");
            assertThat(out).doesNotExist();
            oneClearLine(CliRun.of("worker", "--storage", url), "is not a store this mnistlab opens");
        }
        assertThat(dir.toFile().list()).isEmpty();
        assertThat(Path.of("postgresq:")).doesNotExist();
        // the scheme in any case is PostgreSQL's
        oneClearLine(CliRun.of("study", "status", "--storage", "PostgreSQL://someone:sekret@127.0.0.1:1/studies"),
                "cannot connect to PostgreSQL store postgresql://someone@127.0.0.1:1/studies");
    }

    @Test
    void statusAndWorkerOnAMissingSqliteFileRefuseAndCreateNothing(@TempDir Path dir) {
        Path db = dir.resolve("typo/study.db");
        oneClearLine(CliRun.of("study", "status", "--storage", db.toString()), "no study store at " + db);
        oneClearLine(CliRun.of("study", "results", "--storage", db.toString(), "--study", "s", "--out",
                dir.resolve("results").toString()), "no study store at " + db);
        oneClearLine(CliRun.of("worker", "--storage", "sqlite:" + db), "no study store at " + db);
        assertThat(dir.toFile().list()).isEmpty();
    }

    @Test
    void aLeaseBelowFiveSecondsIsRefused(@TempDir Path dir) {
        oneClearLine(CliRun.of("worker", "--storage", dir.resolve("x.db").toString(), "--lease", "4"),
                "--lease must be at least 5 seconds (got 4)");
        Path out = dir.resolve("search");
        oneClearLine(search("--lease", "2", "--out", out.toString()), "--lease must be at least 5 seconds (got 2)");
        assertThat(out).doesNotExist();
    }

    @Test
    void aStoreOfAnotherSchemaVersionIsRefusedAndLeftAsItWas(@TempDir Path dir) throws Exception {
        Path db = dir.resolve("other.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE mnistlab_schema (version INTEGER NOT NULL)");
            s.execute("INSERT INTO mnistlab_schema VALUES (99)");
        }
        oneClearLine(CliRun.of("study", "status", "--storage", db.toString()), "has schema version 99",
                "a newer mnistlab wrote it");
        Path out = dir.resolve("search");
        oneClearLine(search("--storage", db.toString(), "--out", out.toString()), "has schema version 99");
        assertThat(out).doesNotExist();
        assertThat(tables("jdbc:sqlite:" + db)).containsExactly("mnistlab_schema");
    }

    @Test
    void aStudyOfThatNameWithAnotherSpaceIsRefusedAndNothingIsWritten(@TempDir Path dir) {
        Path db = dir.resolve("shared.db");
        try (StudyStore store = StudyStore.sqlite(db)) {
            store.createOrJoin("search-1500-seed1", "search", "settings: {budget: 1500}\n", "x", StudyPlan.sweep(1), List.of());
        }
        Path out = dir.resolve("search");
        oneClearLine(search("--storage", db.toString(), "--out", out.toString()),
                "study 'search-1500-seed1'", "with other settings or another space");
        assertThat(out).doesNotExist();
        try (StudyStore store = StudyStore.sqlite(db)) {
            assertThat(store.trials("search-1500-seed1")).isEmpty();
            assertThat(store.study("search-1500-seed1").definition()).isEqualTo("settings: {budget: 1500}\n");
        }
    }

    @Test
    void aWorkerOnOtherDataIsRefused(@TempDir Path dir) throws Exception {
        Path db = dir.resolve("shared.db");
        try (StudyStore store = StudyStore.sqlite(db)) {
            // the fingerprint of some other four files
            store.createOrJoin("elsewhere", "search", "settings: {}\n", "a,b,c,d", StudyPlan.sweep(1), List.of());
        }
        oneClearLine(CliRun.of("worker", "--storage", db.toString(), "--study", "elsewhere"),
                "study 'elsewhere'", "was set up on other MNIST files");
    }

    static List<String> tables(String jdbc) throws Exception {
        List<String> names = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(jdbc); ResultSet r = c.getMetaData().getTables(null, null, "%",
                new String[] {"TABLE"})) {
            while (r.next()) {
                names.add(r.getString("TABLE_NAME"));
            }
        }
        return names;
    }
}
