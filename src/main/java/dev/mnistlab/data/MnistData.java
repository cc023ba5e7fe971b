package dev.mnistlab.data;

import dev.mnistlab.MnistlabException;
import java.nio.file.Path;

/**
 * Both MNIST splits and the directory they were read from (for logs and run records).
 *
 * @param trainLimit the N of {@link #limitTrain}: training uses only the first N images read; null when it uses all
 */
public record MnistData(Split train, Split test, Path directory, Integer trainLimit) {

    /** The digits 0-9: the classes of every data set mnistlab reads and the outputs of every network. */
    public static final int CLASSES = 10;

    public static final String VALIDATION = "validation";

    /** All the training images read. */
    public MnistData(Split train, Split test, Path directory) {
        this(train, test, directory, null);
    }

    /**
     * The last {@code n} training images become the evaluation set in place of the test set, so that
     * choices made on its numbers never see a test image.
     */
    public MnistData holdOut(int n) {
        if (n < 1 || n >= train.count()) {
            throw new MnistlabException("cannot hold out " + n + " of the " + train.count()
                    + " training images for validation; choose 1.." + (train.count() - 1));
        }
        int kept = train.count() - n;
        return new MnistData(train.slice(train.name(), 0, kept), train.slice(VALIDATION, kept, n), directory, trainLimit);
    }

    /** Trains on the first {@code n} training images only (quick checks); all of them when there are no more. */
    public MnistData limitTrain(int n) {
        return n >= train.count() ? this : new MnistData(train.first(n), test, directory, n);
    }

    /**
     * The data a run trains and evaluates on: the last {@code validation} training images held out when given,
     * then the first {@code limit} of the rest when given.
     */
    public MnistData select(Integer validation, Integer limit) {
        MnistData held = validation == null ? this : holdOut(validation);
        return limit == null ? held : held.limitTrain(limit);
    }

    /** True when evaluation runs on images held out of the training set rather than on the test set. */
    public boolean validating() {
        return test.name().equals(VALIDATION);
    }
}
