package dev.mnistlab.api;

import dev.mnistlab.search.Worker;
import java.time.Duration;

/**
 * Where a search's or seed sweep's study lives and how its workers hold trials. Immutable; start from
 * {@link #local()}.
 *
 * @param storage null: an SQLite file (study.db) in the output folder, trained by this process's workers only;
 *                else {@code postgresql://[user[:password]@]host[:port]/database} (missing parts from the PG*
 *                variables and ~/.pgpass), which workers on several machines share, or an SQLite file's path,
 *                which workers on this machine share: SQLite is for one machine (its WAL mode does not work on
 *                network filesystems, and leases are compared on each machine's own clock)
 * @param study   the study's name in the store; null: the command's default (search-&lt;budget&gt;-seed&lt;seed&gt;,
 *                &lt;experiment&gt;-seeds)
 * @param lease   how long a worker's claim on a trial holds without renewal (renewed every second): after a worker
 *                dies, its trial waits this long before another worker resumes it; at least {@link #MIN_LEASE}
 */
public record StudyOptions(String storage, String study, Duration lease) {

    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(60);
    /** The shortest lease: claims are renewed every second, and a store may answer a few seconds late. */
    public static final Duration MIN_LEASE = Worker.MIN_LEASE;

    /** An SQLite file in the output folder, the default name, a one-minute lease. */
    public static StudyOptions local() {
        return new StudyOptions(null, null, DEFAULT_LEASE);
    }

    public StudyOptions withStorage(String url) {
        return new StudyOptions(url, study, lease);
    }

    public StudyOptions withStudy(String name) {
        return new StudyOptions(storage, name, lease);
    }

    public StudyOptions withLease(Duration duration) {
        return new StudyOptions(storage, study, duration);
    }
}
