package dev.mnistlab.train;

import java.util.Locale;

/**
 * A pass over a labelled split: summed loss, hits, and each sample's predicted class.
 *
 * @param loss mean negative log-likelihood over the split (the write-ups' "Average loss")
 */
public record Evaluation(double loss, int correct, int total, int[] predictions) {

    public double accuracy() {
        return 100.0 * correct / total;
    }

    /** The write-ups' line, so logs compare side by side. */
    public String testSetLine() {
        return String.format(Locale.ROOT, "Test set: Average loss: %.4f, Accuracy: %d/%d (%.2f%%)",
                loss, correct, total, accuracy());
    }
}
