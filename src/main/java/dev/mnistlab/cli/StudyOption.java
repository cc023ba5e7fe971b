package dev.mnistlab.cli;

import dev.mnistlab.api.StudyOptions;
import java.time.Duration;
import picocli.CommandLine.Option;

/** --storage, --study and --lease: where a search's or seed sweep's trials live, shared by several machines' workers. */
final class StudyOption {

    @Option(names = "--storage", paramLabel = "URL",
            description = "Study store: postgresql://[user[:password]@]host[:port]/db (missing parts from PGHOST, PGPORT, "
                    + "PGDATABASE, PGUSER, PGPASSWORD, ~/.pgpass) or an SQLite file (one machine only); workers on other "
                    + "machines join with 'mnistlab worker --storage URL'. Default: study.db in the output folder.")
    String storage;

    @Option(names = "--study", paramLabel = "NAME", description = "The study's name in the store (default: the output folder's default name).")
    String study;

    @Option(names = "--lease", paramLabel = "SECONDS", defaultValue = "60",
            description = "A trial whose worker stops renewing its claim for this long is resumed by another (at least 5; default: ${DEFAULT-VALUE}).")
    int lease;

    StudyOptions options() {
        Checks.lease(lease);
        return StudyOptions.local().withStorage(storage).withStudy(study).withLease(Duration.ofSeconds(lease));
    }
}
