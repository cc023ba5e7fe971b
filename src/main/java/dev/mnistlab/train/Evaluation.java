package dev.mnistlab.train;

import java.util.Locale;

/**
 * A pass over a labelled split: mean loss, hits, and each sample's label, predicted class and the
 * softmax probability of that class.
 *
 * @param loss mean negative log-likelihood over the split (the write-ups' "Average loss")
 */
public record Evaluation(double loss, int correct, int total, byte[] labels, int[] predictions, float[] confidence) {

    public double accuracy() {
        return 100.0 * correct / total;
    }

    /** The write-ups' line, so logs compare side by side. */
    public String testSetLine() {
        return line("Test");
    }

    /** The same line for another set, e.g. "Validation". */
    public String line(String set) {
        return String.format(Locale.ROOT, set + " set: Average loss: %.4f, Accuracy: %d/%d (%.2f%%)",
                loss, correct, total, accuracy());
    }

    /** predictions.csv: one row per sample, in split order. */
    public String predictionsCsv() {
        StringBuilder sb = new StringBuilder("index,label,predicted,confidence\n");
        for (int i = 0; i < total; i++) {
            sb.append(i).append(',').append(labels[i]).append(',').append(predictions[i]).append(',')
                    .append(String.format(Locale.ROOT, "%.5f", confidence[i])).append('\n');
        }
        return sb.toString();
    }
}
