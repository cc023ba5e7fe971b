package dev.mnistlab.cli;

import dev.mnistlab.MnistlabException;

/** Command-line values picocli cannot check by type alone. */
final class Checks {

    private Checks() {}

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
