package dev.mnistlab.data;

import dev.mnistlab.MnistlabException;
import java.nio.file.Path;

/** Both MNIST splits and the directory they were read from (for logs and run records). */
public record MnistData(Split train, Split test, Path directory) {

    public static final String VALIDATION = "validation";

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
        return new MnistData(train.slice(train.name(), 0, kept), train.slice(VALIDATION, kept, n), directory);
    }

    /** True when evaluation runs on images held out of the training set rather than on the test set. */
    public boolean validating() {
        return test.name().equals(VALIDATION);
    }
}
