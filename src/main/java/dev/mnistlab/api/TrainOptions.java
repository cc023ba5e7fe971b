package dev.mnistlab.api;

import java.nio.file.Path;

/**
 * How and where to train, as opposed to what ({@link Experiment}). Immutable; start from
 * {@link #defaults()} and change with {@code with...}.
 *
 * @param out the run folder; null for {@code runs/<time>-<name>}
 * @param force replace a run already in {@code out}
 * @param threads compute threads for this run; null for all cores. Results depend on it: the same seed
 *                and thread count give the same digits
 * @param dataDir a folder with MNIST's four IDX files; null for the cache (fetched on first use)
 * @param limitTrain train on the first N training images only (quick looks); null for all
 * @param validation hold out the last N training images and evaluate on them instead of the test set; null for none
 * @param stopAfter pause after this epoch (the schedule still spans all epochs); null to train to the end
 */
public record TrainOptions(Path out, boolean force, Integer threads, Path dataDir, Integer limitTrain,
                           Integer validation, Integer stopAfter) {

    /** All cores, all of MNIST from the cache, a new folder under runs/, to the last epoch. */
    public static TrainOptions defaults() {
        return new TrainOptions(null, false, null, null, null, null, null);
    }

    /** A copy writing into {@code folder} (null: runs/&lt;time&gt;-&lt;name&gt;). */
    public TrainOptions withOut(Path folder) {
        return new TrainOptions(folder, force, threads, dataDir, limitTrain, validation, stopAfter);
    }

    /** A copy that may replace a run already in the folder. */
    public TrainOptions withForce(boolean replace) {
        return new TrainOptions(out, replace, threads, dataDir, limitTrain, validation, stopAfter);
    }

    /** A copy training on {@code count} compute threads (null: all cores). */
    public TrainOptions withThreads(Integer count) {
        return new TrainOptions(out, force, count, dataDir, limitTrain, validation, stopAfter);
    }

    /** A copy reading MNIST from {@code dir} (null: the cache). */
    public TrainOptions withDataDir(Path dir) {
        return new TrainOptions(out, force, threads, dir, limitTrain, validation, stopAfter);
    }

    /** A copy training on the first {@code images} training images only (null: all). */
    public TrainOptions withLimitTrain(Integer images) {
        return new TrainOptions(out, force, threads, dataDir, images, validation, stopAfter);
    }

    /** A copy holding out the last {@code images} training images for validation (null: none). */
    public TrainOptions withValidation(Integer images) {
        return new TrainOptions(out, force, threads, dataDir, limitTrain, images, stopAfter);
    }

    /** A copy pausing after epoch {@code epoch} (null: train to the end). */
    public TrainOptions withStopAfter(Integer epoch) {
        return new TrainOptions(out, force, threads, dataDir, limitTrain, validation, epoch);
    }
}
