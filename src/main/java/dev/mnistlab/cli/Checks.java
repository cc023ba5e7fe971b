package dev.mnistlab.cli;

import dev.mnistlab.MnistlabException;
import dev.mnistlab.api.StudyOptions;

/** Command-line values picocli cannot check by type alone. */
final class Checks {

    private Checks() {}

    /** --lease: at least {@link StudyOptions#MIN_LEASE}, the worker renewing its claims every second. */
    static void lease(int seconds) {
        if (seconds < StudyOptions.MIN_LEASE.toSeconds()) {
            throw new MnistlabException("--lease must be at least " + StudyOptions.MIN_LEASE.toSeconds() + " seconds (got "
                    + seconds + "): a worker renews its claims every second, and a store that answers a few seconds late "
                    + "would hand trials in training to other workers");
        }
    }

    /** A count option (threads, epochs, seeds, ...) must be at least 1. */
    static void positive(String option, long value) {
        if (value < 1) {
            throw new MnistlabException(option + " must be >= 1 (got " + value + ")");
        }
    }

    /** The same for an optional count: checked only when given. */
    static void positive(String option, Integer value) {
        if (value != null) {
            positive(option, (long) value);
        }
    }
}
