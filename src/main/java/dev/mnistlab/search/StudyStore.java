package dev.mnistlab.search;

import dev.mnistlab.MnistlabException;
import dev.mnistlab.YamlFiles;
import dev.mnistlab.train.EpochResult;
import dev.mnistlab.train.Experiment;
import dev.mnistlab.train.RunSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Studies (searches, seed sweeps) and their trials in a relational database that every worker shares: an SQLite
 * file on one machine, PostgreSQL across machines. Plain JDBC; the two differ only in their {@link Dialect}.
 * A trial is one training run: what to train, how far (its stage's epochs), its state, the worker holding it and
 * until when (the lease), and the last checkpoint with the metrics of every epoch it covers. Every change that
 * decides something (a claim, a finished trial and the promotions it completes) is one transaction.
 * One connection per store, used by one thread at a time.
 */
public final class StudyStore implements AutoCloseable {

    /** The schema this code reads and writes; a store of another version is refused, never changed. */
    public static final int SCHEMA_VERSION = 1;
    public static final String QUEUED = "queued";
    public static final String RUNNING = "running";
    public static final String DONE = "done";
    public static final String FAILED = "failed";

    /** Where the two databases differ: types, the clock, and row locks (SQLite locks the whole file instead). */
    enum Dialect {
        SQLITE("BLOB", "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)", "", ""),
        POSTGRESQL("BYTEA", "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)", " FOR UPDATE",
                " FOR UPDATE OF t SKIP LOCKED");

        final String bytes;
        /** The database's clock in milliseconds: leases are compared on one clock, whatever the workers' say. */
        final String now;
        final String lockRow;
        final String claimLock;

        Dialect(String bytes, String now, String lockRow, String claimLock) {
            this.bytes = bytes;
            this.now = now;
            this.lockRow = lockRow;
            this.claimLock = claimLock;
        }
    }

    /** A study as stored: its definition (for the same-study check), data fingerprint, plan and stage. */
    public record Study(String name, String kind, String definition, String data, StudyPlan plan, int stage,
                        boolean finished) {}

    /** A trial as stored, without its checkpoint. */
    public record Trial(int id, String name, String folder, int stage, Integer candidate, String experiment, long params,
                        Integer validation, Integer limitTrain, int targetEpochs, String state, String worker, int attempt,
                        int epochsDone, String message) {
        public Experiment toExperiment() {
            return Experiment.of(YamlFiles.parse(experiment, "trial " + name), "trial " + name, name);
        }
    }

    /** A trial to add: {@code folder} relative to a worker's folder, {@code experiment} as YAML. */
    public record NewTrial(String name, String folder, Integer candidate, String experiment, long params,
                           Integer validation, Integer limitTrain, int targetEpochs) {}

    /** A trial a worker holds until its lease lapses: {@code snapshot} is where it resumes (null: from the start). */
    public record Claim(String study, Trial trial, String worker, RunSnapshot snapshot) {}

    /** Opens a new connection to the store: at first, and again when the server dropped the last one. */
    private interface Connector {
        Connection connect() throws SQLException;
    }

    private final Dialect dialect;
    private final String where;
    private final Connector connector;
    private Connection connection;

    private StudyStore(Dialect dialect, String where, Connector connector) throws SQLException {
        this.dialect = dialect;
        this.where = where;
        this.connector = connector;
        this.connection = connector.connect();
    }

    /** The store with its schema checked (created in an empty store); its connection closed when that fails. */
    private static StudyStore withSchema(Dialect dialect, String where, Connector connector) throws SQLException {
        StudyStore store = new StudyStore(dialect, where, connector);
        try {
            return store.withSchema();
        } catch (SQLException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** A URL's scheme (what comes before "://"), as a user may mistype it: "postgresq", "jdbc:postgresql". */
    private static final Pattern SCHEME = Pattern.compile("([A-Za-z][A-Za-z0-9+.:-]*)://.*", Pattern.DOTALL);

    /**
     * Opens the store {@code storage} names: {@code postgresql://[user[:password]@]host[:port]/database} (what the URL
     * leaves out comes from PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, then ~/.pgpass), else an SQLite file
     * ({@code sqlite:PATH} or a path, created when missing). Creates the schema in an empty store; refuses a store of
     * another version, and any other scheme://.
     */
    public static StudyStore open(String storage) {
        Path file = sqliteFile(storage);
        return file == null ? postgres(PostgresUrl.parse(storage, System.getenv())) : sqlite(file);
    }

    /**
     * Opens the store {@code storage} names, as {@link #open} does, for a command that reads or serves studies
     * others create ({@code study status}, {@code worker}): an SQLite file that does not exist is refused, not made.
     */
    public static StudyStore openExisting(String storage) {
        Path file = sqliteFile(storage);
        if (file != null && !Files.isRegularFile(file)) {
            throw new MnistlabException("no study store at " + file + " (a search or train --seeds creates it; check the "
                    + "path, or give the postgresql:// URL of the shared store)");
        }
        return open(storage);
    }

    /** The SQLite file {@code storage} names; null for a PostgreSQL URL; any other scheme:// refused. */
    private static Path sqliteFile(String storage) {
        if (storage.startsWith("sqlite:")) {
            return Path.of(storage.substring("sqlite:".length()));
        }
        Matcher scheme = SCHEME.matcher(storage);
        if (!scheme.matches()) {
            return Path.of(storage);
        }
        String name = scheme.group(1).toLowerCase(Locale.ROOT);
        if (name.equals("postgresql") || name.equals("postgres")) {
            return null;
        }
        throw new MnistlabException("--storage " + PostgresUrl.redact(storage) + ": '" + scheme.group(1) + "://' is not "
                + "a store this mnistlab opens; write postgresql://[user[:password]@]host[:port]/database, or an SQLite "
                + "file's path");
    }

    /**
     * An SQLite file (created with its folder when missing): WAL, so readers never wait for a writer. For one machine:
     * WAL needs shared memory, which network filesystems do not give, and leases compare each machine's own clock.
     */
    public static StudyStore sqlite(Path file) {
        String where = "SQLite store " + file;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            org.sqlite.SQLiteConfig config = new org.sqlite.SQLiteConfig();
            config.setJournalMode(org.sqlite.SQLiteConfig.JournalMode.WAL);
            config.setBusyTimeout(60_000);
            String jdbc = "jdbc:sqlite:" + file.toAbsolutePath();
            return withSchema(Dialect.SQLITE, where, () -> config.createConnection(jdbc));
        } catch (SQLException | java.io.IOException e) {
            throw new MnistlabException("cannot open the " + where + " (" + e.getMessage() + ")");
        }
    }

    /**
     * How long a statement may wait for the server before its connection counts as broken (and is opened again):
     * below the default lease, so a worker cut off from the server notices before its claims lapse.
     */
    private static final int SOCKET_TIMEOUT_SECONDS = 30;

    private static StudyStore postgres(PostgresUrl url) {
        Properties properties = new Properties();
        properties.setProperty("user", url.user());
        if (url.password() != null) {
            properties.setProperty("password", url.password());
        }
        properties.setProperty("connectTimeout", "10");
        properties.setProperty("socketTimeout", Integer.toString(SOCKET_TIMEOUT_SECONDS));
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("ApplicationName", "mnistlab");
        try {
            return withSchema(Dialect.POSTGRESQL, "PostgreSQL store " + url,
                    () -> DriverManager.getConnection(url.jdbc(), properties));
        } catch (SQLException e) {
            throw new MnistlabException("cannot connect to PostgreSQL store " + url + ": " + PostgresUrl.reason(e));
        }
    }

    /** Names the store without its password, for messages. */
    public String where() {
        return where;
    }

    // ---- schema

    private StudyStore withSchema() throws SQLException {
        try (ResultSet tables = connection.getMetaData().getTables(null, null, "mnistlab_schema", null)) {
            if (tables.next()) {
                requireVersion();
                return this;
            }
        }
        transaction(c -> {
            lock(c, "schema"); // two processes creating the tables at once would collide in PostgreSQL's catalog
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS mnistlab_schema (version INTEGER NOT NULL)");
                try (ResultSet r = s.executeQuery("SELECT count(*) FROM mnistlab_schema")) {
                    r.next();
                    if (r.getInt(1) > 0) {
                        return null; // another process created it first
                    }
                }
                s.execute("INSERT INTO mnistlab_schema (version) VALUES (" + SCHEMA_VERSION + ")");
                s.execute("CREATE TABLE studies (name TEXT PRIMARY KEY, kind TEXT NOT NULL, definition TEXT NOT NULL, "
                        + "data TEXT NOT NULL, plan TEXT NOT NULL, stage INTEGER NOT NULL, finished INTEGER NOT NULL, "
                        + "created BIGINT NOT NULL)");
                s.execute("CREATE TABLE trials (study TEXT NOT NULL REFERENCES studies(name), id INTEGER NOT NULL, "
                        + "name TEXT NOT NULL, folder TEXT NOT NULL, stage INTEGER NOT NULL, candidate INTEGER, "
                        + "experiment TEXT NOT NULL, params BIGINT NOT NULL, validation INTEGER, limit_train INTEGER, "
                        + "target_epochs INTEGER NOT NULL, state TEXT NOT NULL, worker TEXT, "
                        + "attempt INTEGER NOT NULL DEFAULT 0, lease_until BIGINT, epochs_done INTEGER NOT NULL DEFAULT 0, "
                        + "checkpoint " + dialect.bytes + ", run_info TEXT, run_experiment TEXT, message TEXT, "
                        + "PRIMARY KEY (study, id))");
                s.execute("CREATE TABLE epochs (study TEXT NOT NULL, trial INTEGER NOT NULL, epoch INTEGER NOT NULL, "
                        + "lr DOUBLE PRECISION, train_loss DOUBLE PRECISION, train_acc DOUBLE PRECISION, "
                        + "test_loss DOUBLE PRECISION, test_acc DOUBLE PRECISION, seconds DOUBLE PRECISION, "
                        + "worker TEXT, PRIMARY KEY (study, trial, epoch))");
                s.execute("CREATE TABLE events (study TEXT NOT NULL, trial INTEGER NOT NULL, at BIGINT NOT NULL, "
                        + "worker TEXT, what TEXT NOT NULL)");
            }
            return null;
        });
        requireVersion();
        return this;
    }

    private void requireVersion() throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet r = s.executeQuery("SELECT version FROM mnistlab_schema")) {
            int version = r.next() ? r.getInt(1) : -1;
            if (version != SCHEMA_VERSION) {
                connection.close();
                throw new MnistlabException("the " + where + " has schema version " + version + " but this mnistlab reads "
                        + "version " + SCHEMA_VERSION + (version > SCHEMA_VERSION ? " (a newer mnistlab wrote it): use that mnistlab"
                        : ": it was not written by this mnistlab") + ", or another store");
            }
        }
    }

    // ---- studies

    /**
     * Creates the study with its first trials, or joins it when it exists with the same kind, definition and data.
     * Returns true when it was created now. A study of that name with another definition is refused, nothing written.
     */
    public synchronized boolean createOrJoin(String name, String kind, String definition, String data, StudyPlan plan,
                                             List<NewTrial> trials) {
        return transaction(c -> {
            lock(c, "study " + name); // two machines creating it at once: the second joins what the first made
            Study existing = study(c, name);
            if (existing != null) {
                if (!existing.kind().equals(kind) || !existing.definition().equals(definition)) {
                    throw new MnistlabException("study '" + name + "' in the " + where + " holds a " + existing.kind()
                            + " with other settings or another space (or experiment); run it with the same options to join "
                            + "it, or give another study name (--study) or folder");
                }
                if (!existing.data().equals(data)) {
                    throw new MnistlabException(dataMismatch(name));
                }
                return false;
            }
            try (PreparedStatement p = c.prepareStatement("INSERT INTO studies (name, kind, definition, data, plan, stage, "
                    + "finished, created) VALUES (?, ?, ?, ?, ?, 0, 0, " + dialect.now + ")")) {
                p.setString(1, name);
                p.setString(2, kind);
                p.setString(3, definition);
                p.setString(4, data);
                p.setString(5, plan.yaml());
                p.executeUpdate();
            }
            insert(c, name, 0, 1, trials);
            return true;
        });
    }

    String dataMismatch(String study) {
        return "study '" + study + "' in the " + where + " was set up on other MNIST files (their SHA-256 differ from this "
                + "machine's); give --data-dir the study's data so no trial trains on other data";
    }

    /** The study, or null. */
    public synchronized Study study(String name) {
        return query(c -> study(c, name));
    }

    public synchronized List<Study> studies() {
        return query(c -> {
            List<Study> all = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(
                    "SELECT name, kind, definition, data, plan, stage, finished FROM studies ORDER BY created, name")) {
                while (r.next()) {
                    all.add(study(r));
                }
            }
            return all;
        });
    }

    private Study study(Connection c, String name) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(
                "SELECT name, kind, definition, data, plan, stage, finished FROM studies WHERE name = ?")) {
            p.setString(1, name);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? study(r) : null;
            }
        }
    }

    private static Study study(ResultSet r) throws SQLException {
        return new Study(r.getString(1), r.getString(2), r.getString(3), r.getString(4), StudyPlan.parse(r.getString(5)),
                r.getInt(6), r.getInt(7) != 0);
    }

    /** The study's trials in id order, without checkpoints. */
    public synchronized List<Trial> trials(String study) {
        return query(c -> trials(c, study));
    }

    private static final String TRIAL_COLUMNS = "t.id, t.name, t.folder, t.stage, t.candidate, t.experiment, t.params, "
            + "t.validation, t.limit_train, t.target_epochs, t.state, t.worker, t.attempt, t.epochs_done, t.message";

    private static List<Trial> trials(Connection c, String study) throws SQLException {
        List<Trial> all = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement("SELECT " + TRIAL_COLUMNS + " FROM trials t WHERE t.study = ? ORDER BY t.id")) {
            p.setString(1, study);
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    all.add(trial(r));
                }
            }
        }
        return all;
    }

    private static Trial trial(ResultSet r) throws SQLException {
        return new Trial(r.getInt(1), r.getString(2), r.getString(3), r.getInt(4), integer(r, 5), r.getString(6),
                r.getLong(7), integer(r, 8), integer(r, 9), r.getInt(10), r.getString(11), r.getString(12), r.getInt(13),
                r.getInt(14), r.getString(15));
    }

    private static Integer integer(ResultSet r, int column) throws SQLException {
        int value = r.getInt(column);
        return r.wasNull() ? null : value;
    }

    /** Every epoch the study's trials finished, by trial id, in epoch order. */
    public synchronized Map<Integer, List<EpochResult>> epochs(String study) {
        return query(c -> epochs(c, study));
    }

    private static Map<Integer, List<EpochResult>> epochs(Connection c, String study) throws SQLException {
        return epochs(c, study, null);
    }

    /** The epochs of {@code trial} only, unless null. */
    private static Map<Integer, List<EpochResult>> epochs(Connection c, String study, Integer trial) throws SQLException {
        Map<Integer, List<EpochResult>> all = new LinkedHashMap<>();
        try (PreparedStatement p = c.prepareStatement("SELECT trial, epoch, lr, train_loss, train_acc, test_loss, test_acc, "
                + "seconds FROM epochs WHERE study = ?" + (trial != null ? " AND trial = ?" : "") + " ORDER BY trial, epoch")) {
            p.setString(1, study);
            if (trial != null) {
                p.setInt(2, trial);
            }
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    all.computeIfAbsent(r.getInt(1), k -> new ArrayList<>()).add(new EpochResult(r.getInt(2), r.getDouble(3),
                            r.getDouble(4), r.getDouble(5), r.getDouble(6), r.getDouble(7), r.getDouble(8)));
                }
            }
        }
        return all;
    }

    /** What happened to the study's trials, oldest first: "t03: claimed by host:12/1 ...". */
    public synchronized List<String> events(String study) {
        return query(c -> {
            List<String> all = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("SELECT e.trial, e.worker, e.what, t.name FROM events e JOIN trials t "
                    + "ON t.study = e.study AND t.id = e.trial WHERE e.study = ? ORDER BY e.at, e.trial")) {
                p.setString(1, study);
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        all.add(r.getString(4) + ": " + r.getString(3) + " (" + r.getString(2) + ")");
                    }
                }
            }
            return all;
        });
    }

    // ---- work

    /**
     * Takes the next trial nobody holds (queued, or running under a lease that lapsed) of an open study on these data,
     * {@code study} only unless null, for {@code lease}. Empty when there is none. A lapsed trial of another slot of
     * {@code worker}'s own process ("host:pid/slot") is not taken: that process is alive, it is this one, and its
     * lease lapsed only because the process was stopped for a while (a machine asleep, SIGSTOP); its next renewal
     * holds the trial again.
     */
    public synchronized Optional<Claim> claim(String worker, String study, String data, Duration lease) {
        String self = worker.substring(0, worker.lastIndexOf('/') + 1); // "host:pid/"; empty for a worker without slots
        return transaction(c -> {
            String pick = "SELECT t.study, t.id, t.state, t.worker, t.epochs_done FROM trials t JOIN studies s ON s.name = t.study "
                    + "WHERE s.finished = 0 AND s.data = ? " + (study != null ? "AND t.study = ? " : "")
                    + "AND (t.state = 'queued' OR (t.state = 'running' AND t.lease_until < " + dialect.now + " "
                    + "AND (? = '' OR substr(t.worker, 1, ?) <> ?))) "
                    + "ORDER BY s.created, t.stage, t.id LIMIT 1" + dialect.claimLock;
            String name;
            int id;
            String what;
            try (PreparedStatement p = c.prepareStatement(pick)) {
                int i = 1;
                p.setString(i++, data);
                if (study != null) {
                    p.setString(i++, study);
                }
                p.setString(i++, self);
                p.setInt(i++, self.codePointCount(0, self.length()));
                p.setString(i, self);
                try (ResultSet r = p.executeQuery()) {
                    if (!r.next()) {
                        return Optional.empty();
                    }
                    name = r.getString(1);
                    id = r.getInt(2);
                    what = r.getString(3).equals(RUNNING)
                            ? "claimed after the lease of " + r.getString(4) + " lapsed, " + r.getInt(5) + " epochs in the store"
                            : "claimed, " + r.getInt(5) + " epochs in the store";
                }
            }
            try (PreparedStatement p = c.prepareStatement("UPDATE trials SET state = 'running', worker = ?, attempt = attempt + 1, "
                    + "lease_until = " + dialect.now + " + ?, message = NULL WHERE study = ? AND id = ?")) {
                p.setString(1, worker);
                p.setLong(2, lease.toMillis());
                p.setString(3, name);
                p.setInt(4, id);
                p.executeUpdate();
            }
            event(c, name, id, worker, what);
            try (PreparedStatement p = c.prepareStatement("SELECT " + TRIAL_COLUMNS + ", t.checkpoint, t.run_info, "
                    + "t.run_experiment FROM trials t WHERE t.study = ? AND t.id = ?")) {
                p.setString(1, name);
                p.setInt(2, id);
                try (ResultSet r = p.executeQuery()) {
                    r.next();
                    Trial trial = trial(r);
                    byte[] checkpoint = r.getBytes(16);
                    RunSnapshot snapshot = checkpoint == null ? null : new RunSnapshot(trial.epochsDone(), r.getString(18),
                            r.getString(17), epochs(c, name, id).getOrDefault(id, List.of()), checkpoint);
                    return Optional.of(new Claim(name, trial, worker, snapshot));
                }
            }
        });
    }

    /**
     * Renews the claim's lease and stores the epochs of {@code snapshot} (null: none new) with its checkpoint. False
     * when the claim is lost: its lease lapsed and another worker took the trial.
     */
    public synchronized boolean progress(Claim claim, RunSnapshot snapshot, Duration lease) {
        return transaction(c -> {
            Integer done = heldEpochs(c, claim);
            if (done == null) {
                return false;
            }
            if (snapshot != null && snapshot.epoch() > done) {
                try (PreparedStatement p = c.prepareStatement("INSERT INTO epochs (study, trial, epoch, lr, train_loss, "
                        + "train_acc, test_loss, test_acc, seconds, worker) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    for (EpochResult e : snapshot.epochs().subList(done, snapshot.epoch())) {
                        p.setString(1, claim.study());
                        p.setInt(2, claim.trial().id());
                        p.setInt(3, e.epoch());
                        p.setDouble(4, e.lr());
                        p.setDouble(5, e.trainLoss());
                        p.setDouble(6, e.trainAccuracy());
                        p.setDouble(7, e.testLoss());
                        p.setDouble(8, e.testAccuracy());
                        p.setDouble(9, e.seconds());
                        p.setString(10, claim.worker());
                        p.addBatch();
                    }
                    p.executeBatch();
                }
                try (PreparedStatement p = c.prepareStatement("UPDATE trials SET epochs_done = ?, checkpoint = ?, run_info = ?, "
                        + "run_experiment = ? WHERE study = ? AND id = ?")) {
                    p.setInt(1, snapshot.epoch());
                    p.setBytes(2, snapshot.checkpoint());
                    p.setString(3, snapshot.runInfoYaml());
                    p.setString(4, snapshot.experimentYaml());
                    p.setString(5, claim.study());
                    p.setInt(6, claim.trial().id());
                    p.executeUpdate();
                }
            }
            try (PreparedStatement p = c.prepareStatement("UPDATE trials SET lease_until = " + dialect.now + " + ? "
                    + "WHERE study = ? AND id = ?")) {
                p.setLong(1, lease.toMillis());
                p.setString(2, claim.study());
                p.setInt(3, claim.trial().id());
                p.executeUpdate();
            }
            return true;
        });
    }

    /**
     * Ends the claim: the trial is done when it reached its stage's epochs and {@code message} is null, else failed
     * with that message. When that was its stage's last open trial, the study moves on in the same transaction
     * ({@link StudyPlan#after}), so however many workers finish at once, one of them promotes, once. Returns false
     * when the claim was lost.
     */
    public synchronized boolean finish(Claim claim, String message) {
        return transaction(c -> {
            Study study = lockStudy(c, claim.study());
            Integer done = heldEpochs(c, claim);
            if (done == null) {
                return false;
            }
            boolean reached = message == null && done >= claim.trial().targetEpochs();
            String failure = reached ? null : message != null ? message : "stopped after epoch " + done + " of "
                    + claim.trial().targetEpochs();
            try (PreparedStatement p = c.prepareStatement("UPDATE trials SET state = ?, lease_until = NULL, message = ? "
                    + "WHERE study = ? AND id = ?")) {
                p.setString(1, reached ? DONE : FAILED);
                p.setString(2, failure);
                p.setString(3, claim.study());
                p.setInt(4, claim.trial().id());
                p.executeUpdate();
            }
            event(c, claim.study(), claim.trial().id(), claim.worker(),
                    (reached ? "done" : "failed (" + failure + ")") + " at epoch " + done + ", stage " + claim.trial().stage());
            advance(c, study);
            return true;
        });
    }

    /**
     * Queues a one-stage study's failed trials again, keeping what they stored, and reopens the study at their stage:
     * a seed sweep run again gives a seed that crashed, was killed or found its folder busy another try, as a user
     * rerunning the command expects. (A search's failed trials are results its later stages were chosen from.)
     * Returns the failed trials as they were.
     */
    public synchronized List<Trial> retryFailed(String study) {
        return transaction(c -> {
            lockStudy(c, study);
            List<Trial> failed = trials(c, study).stream().filter(t -> t.state().equals(FAILED)).toList();
            if (failed.isEmpty()) {
                return failed;
            }
            try (PreparedStatement p = c.prepareStatement("UPDATE trials SET state = 'queued', worker = NULL, "
                    + "lease_until = NULL, message = NULL WHERE study = ? AND state = 'failed'")) {
                p.setString(1, study);
                p.executeUpdate();
            }
            try (PreparedStatement p = c.prepareStatement("UPDATE studies SET stage = ?, finished = 0 WHERE name = ?")) {
                p.setInt(1, failed.stream().mapToInt(Trial::stage).min().orElseThrow());
                p.setString(2, study);
                p.executeUpdate();
            }
            for (Trial t : failed) {
                event(c, study, t.id(), null, "queued again: it had failed (" + t.message() + ")");
            }
            return failed;
        });
    }

    /** Gives the trial back (queued, keeping what it stored) when its worker stops before the end. */
    public synchronized void release(Claim claim) {
        transaction(c -> {
            if (heldEpochs(c, claim) != null) {
                try (PreparedStatement p = c.prepareStatement("UPDATE trials SET state = 'queued', worker = NULL, "
                        + "lease_until = NULL WHERE study = ? AND id = ?")) {
                    p.setString(1, claim.study());
                    p.setInt(2, claim.trial().id());
                    p.executeUpdate();
                }
                event(c, claim.study(), claim.trial().id(), claim.worker(), "given back by its stopping worker");
            }
            return null;
        });
    }

    /**
     * Gives back at once the trials held by workers of this machine ({@code host}) whose process is gone, instead of
     * waiting for their leases: a search stopped hard continues straight away when run again. A trial whose lease was
     * renewed in the last {@link #RENEWED_RECENTLY} (by a worker with this {@code lease}, renewing every second) is left
     * alone: its worker may live in another container with the same host name and its own process ids. Returns true
     * when such a trial was left: asked again after that long, the store tells a live worker from a dead one.
     */
    public synchronized boolean releaseGone(String host, java.util.function.LongPredicate alive, Duration lease) {
        String prefix = host + ":";
        return transaction(c -> {
            List<Object[]> gone = new ArrayList<>();
            boolean fresh = false;
            // substr, not LIKE: a host name's '_' would match any character
            try (PreparedStatement p = c.prepareStatement("SELECT study, id, worker, CASE WHEN lease_until > "
                    + dialect.now + " + ? THEN 1 ELSE 0 END FROM trials t WHERE state = 'running' "
                    + "AND substr(worker, 1, ?) = ?" + dialect.lockRow)) {
                p.setLong(1, lease.minus(RENEWED_RECENTLY).toMillis());
                p.setInt(2, prefix.codePointCount(0, prefix.length()));
                p.setString(3, prefix);
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        String worker = r.getString(3);
                        String pid = worker.substring(prefix.length()).replaceFirst("/.*", "");
                        if (pid.matches("\\d{1,18}") && !alive.test(Long.parseLong(pid))) {
                            if (r.getInt(4) == 1) {
                                fresh = true;
                            } else {
                                gone.add(new Object[] {r.getString(1), r.getInt(2), worker});
                            }
                        }
                    }
                }
            }
            for (Object[] g : gone) {
                try (PreparedStatement p = c.prepareStatement("UPDATE trials SET state = 'queued', worker = NULL, "
                        + "lease_until = NULL WHERE study = ? AND id = ?")) {
                    p.setString(1, (String) g[0]);
                    p.setInt(2, (Integer) g[1]);
                    p.executeUpdate();
                }
                event(c, (String) g[0], (Integer) g[1], (String) g[2], "given back: its worker's process is gone");
            }
            return fresh;
        });
    }

    /** A lease renewed this recently may belong to a live worker (workers renew every second). */
    public static final Duration RENEWED_RECENTLY = Duration.ofSeconds(3);

    /** The epochs the store holds for a trial while {@code claim} still holds it, else null. */
    private Integer heldEpochs(Connection c, Claim claim) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT epochs_done FROM trials t WHERE study = ? AND id = ? "
                + "AND state = 'running' AND worker = ? AND attempt = ?" + dialect.lockRow)) {
            p.setString(1, claim.study());
            p.setInt(2, claim.trial().id());
            p.setString(3, claim.worker());
            p.setInt(4, claim.trial().attempt());
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? r.getInt(1) : null;
            }
        }
    }

    private Study lockStudy(Connection c, String name) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT name, kind, definition, data, plan, stage, finished FROM studies "
                + "WHERE name = ?" + dialect.lockRow)) {
            p.setString(1, name);
            try (ResultSet r = p.executeQuery()) {
                if (!r.next()) {
                    throw new MnistlabException("study '" + name + "' is not in the " + where);
                }
                return study(r);
            }
        }
    }

    /** Under the study's lock: when no trial of its stage is open any more, applies what its plan says follows. */
    private void advance(Connection c, Study study) throws SQLException {
        List<Trial> trials = trials(c, study.name());
        boolean open = trials.stream().anyMatch(t -> t.stage() == study.stage()
                && (t.state().equals(QUEUED) || t.state().equals(RUNNING)));
        if (open || study.finished()) {
            return;
        }
        StudyPlan.Next next = study.plan().after(study.stage(), trials, epochs(c, study.name()));
        try (PreparedStatement p = c.prepareStatement("UPDATE trials SET stage = ?, target_epochs = ?, state = 'queued', "
                + "worker = NULL, lease_until = NULL WHERE study = ? AND id = ?")) {
            for (int id : next.promoted()) {
                p.setInt(1, study.stage() + 1);
                p.setInt(2, next.targetEpochs());
                p.setString(3, study.name());
                p.setInt(4, id);
                p.addBatch();
            }
            p.executeBatch();
        }
        for (int id : next.promoted()) {
            event(c, study.name(), id, null, "promoted to stage " + (study.stage() + 1) + ", epoch " + next.targetEpochs());
        }
        insert(c, study.name(), study.stage() + 1, trials.stream().mapToInt(Trial::id).max().orElse(0) + 1, next.created());
        try (PreparedStatement p = c.prepareStatement("UPDATE studies SET stage = ?, finished = ? WHERE name = ?")) {
            p.setInt(1, study.stage() + 1);
            p.setInt(2, next.finished() ? 1 : 0);
            p.setString(3, study.name());
            p.executeUpdate();
        }
    }

    private void insert(Connection c, String study, int stage, int firstId, List<NewTrial> trials) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("INSERT INTO trials (study, id, name, folder, stage, candidate, experiment, "
                + "params, validation, limit_train, target_epochs, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued')")) {
            int id = firstId;
            for (NewTrial t : trials) {
                p.setString(1, study);
                p.setInt(2, id++);
                p.setString(3, t.name());
                p.setString(4, t.folder());
                p.setInt(5, stage);
                setInteger(p, 6, t.candidate());
                p.setString(7, t.experiment());
                p.setLong(8, t.params());
                setInteger(p, 9, t.validation());
                setInteger(p, 10, t.limitTrain());
                p.setInt(11, t.targetEpochs());
                p.addBatch();
            }
            p.executeBatch();
        }
    }

    private static void setInteger(PreparedStatement p, int index, Integer value) throws SQLException {
        if (value == null) {
            p.setNull(index, Types.INTEGER);
        } else {
            p.setInt(index, value);
        }
    }

    private void event(Connection c, String study, int trial, String worker, String what) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("INSERT INTO events (study, trial, at, worker, what) VALUES (?, ?, "
                + dialect.now + ", ?, ?)")) {
            p.setString(1, study);
            p.setInt(2, trial);
            p.setString(3, worker);
            p.setString(4, what);
            p.executeUpdate();
        }
    }

    // ---- plumbing

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T query(Work<T> work) {
        return reconnecting(work);
    }

    /**
     * One transaction: on SQLite {@code BEGIN IMMEDIATE} (the write lock taken at once, so a claim or a promotion is
     * never interleaved with another), on PostgreSQL the driver's (row locks and advisory locks do that there).
     */
    private <T> T transaction(Work<T> work) {
        return reconnecting(c -> dialect == Dialect.SQLITE ? sqliteTransaction(c, work) : jdbcTransaction(c, work));
    }

    private static <T> T sqliteTransaction(Connection c, Work<T> work) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("BEGIN IMMEDIATE");
            try {
                T result = work.run(c);
                s.execute("COMMIT");
                return result;
            } catch (SQLException | RuntimeException e) {
                quietly(e, () -> s.execute("ROLLBACK"));
                throw e;
            }
        }
    }

    private static <T> T jdbcTransaction(Connection c, Work<T> work) throws SQLException {
        c.setAutoCommit(false);
        try {
            T result = work.run(c);
            c.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            quietly(e, c::rollback);
            throw e;
        } finally {
            if (!c.isClosed()) {
                c.setAutoCommit(true);
            }
        }
    }

    private interface SqlAction {
        void run() throws SQLException;
    }

    /** Cleans up after {@code failure} without hiding it: on a broken connection the clean-up fails too. */
    private static void quietly(Exception failure, SqlAction cleanUp) {
        try {
            cleanUp.run();
        } catch (SQLException e) {
            failure.addSuppressed(e);
        }
    }

    /**
     * Runs {@code work}; when the connection turns out broken (the server restarted, the network dropped it, a timeout),
     * opens a new one and runs it once more. A store error that is not about the connection is not retried.
     */
    private <T> T reconnecting(Work<T> work) {
        try {
            try {
                return work.run(connection);
            } catch (SQLException e) {
                if (!broken(e)) {
                    throw e;
                }
                quietly(e, connection::close);
                connection = connector.connect();
                return work.run(connection);
            }
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /** SQLState class 08 (connection exception), 57P (the server shutting down), or a connection the driver closed. */
    private boolean broken(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        try {
            return state.startsWith("08") || state.startsWith("57P") || connection.isClosed();
        } catch (SQLException unknown) {
            return true;
        }
    }

    /** Takes a lock named {@code what} until the transaction ends (PostgreSQL; SQLite's transactions lock the file). */
    private void lock(Connection c, String what) throws SQLException {
        if (dialect == Dialect.POSTGRESQL) {
            try (PreparedStatement p = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                p.setLong(1, ADVISORY_LOCKS | (("mnistlab " + what).hashCode() & 0xffff_ffffL));
                p.executeQuery().close();
            }
        }
    }

    /** The upper half of mnistlab's advisory lock keys ("mnl\0"), apart from other applications' on the server. */
    private static final long ADVISORY_LOCKS = 0x6d6e_6c00L << 32;

    /** A statement on the store failed (its server away, most often): what a worker waits out and tries again. */
    public static final class Failed extends MnistlabException {
        private final String what;

        Failed(String what) {
            super(what + "; run the command again once it is reachable");
            this.what = what;
        }

        /** What failed, without the advice for a command that ends here. */
        public String what() {
            return what;
        }
    }

    private Failed failed(SQLException e) {
        return new Failed("the " + where + " failed: " + PostgresUrl.firstLine(e));
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // nothing held any more
        }
    }
}
