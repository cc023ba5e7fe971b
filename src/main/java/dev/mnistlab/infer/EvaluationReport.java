package dev.mnistlab.infer;

import java.util.Locale;

/**
 * The outcome of {@link Evaluator}: mean cross-entropy, the confusion matrix (rows: true label, columns:
 * predicted) and each sample's predicted class in split order.
 */
public record EvaluationReport(String split, double loss, int[][] confusion, int[] predicted) {

    public int total() {
        return predicted.length;
    }

    public int correct() {
        int sum = 0;
        for (int c = 0; c < 10; c++) {
            sum += confusion[c][c];
        }
        return sum;
    }

    public double accuracy() {
        return 100.0 * correct() / total();
    }

    public int count(int label) {
        int sum = 0;
        for (int v : confusion[label]) {
            sum += v;
        }
        return sum;
    }

    /** The write-ups' line, as training prints it. */
    public String testSetLine() {
        return String.format(Locale.ROOT, "Test set: Average loss: %.4f, Accuracy: %d/%d (%.2f%%)",
                loss, correct(), total(), accuracy());
    }

    /** The line, per-class accuracy and the confusion matrix, as plain text. */
    public String text() {
        StringBuilder sb = new StringBuilder(testSetLine()).append("\n\nPer class:\n");
        sb.append("  digit  images  correct  accuracy\n");
        for (int c = 0; c < 10; c++) {
            int n = count(c);
            sb.append(String.format(Locale.ROOT, "  %5d  %6d  %7d  %7.2f%%%n", c, n, confusion[c][c],
                    n == 0 ? 0.0 : 100.0 * confusion[c][c] / n));
        }
        sb.append("\nConfusion matrix (rows: true digit, columns: predicted):\n      ");
        for (int c = 0; c < 10; c++) {
            sb.append(String.format(Locale.ROOT, "%6d", c));
        }
        sb.append('\n');
        for (int r = 0; r < 10; r++) {
            sb.append(String.format(Locale.ROOT, "  %d | ", r));
            for (int c = 0; c < 10; c++) {
                sb.append(String.format(Locale.ROOT, "%6d", confusion[r][c]));
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
