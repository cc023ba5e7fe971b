package dev.mnistlab.infer;

import dev.mnistlab.data.MnistData;
import java.util.Locale;

/** The predicted digit and the softmax probability of each of the ten classes. */
public record Prediction(int digit, double[] probabilities) {

    /** Softmax of row {@code row} of a (count x 10) logits array, computed in double with the max subtracted. */
    public static Prediction fromLogits(float[] logits, int row) {
        int classes = MnistData.CLASSES;
        double max = Double.NEGATIVE_INFINITY;
        int best = 0;
        for (int c = 0; c < classes; c++) {
            if (logits[row * classes + c] > max) {
                max = logits[row * classes + c];
                best = c;
            }
        }
        double sum = 0;
        double[] p = new double[classes];
        for (int c = 0; c < classes; c++) {
            p[c] = Math.exp(logits[row * classes + c] - max);
            sum += p[c];
        }
        for (int c = 0; c < classes; c++) {
            p[c] /= sum;
        }
        return new Prediction(best, p);
    }

    public double confidence() {
        return probabilities[digit];
    }

    /** "7  (0: 0.0000  1: 0.0001 ... 9: 0.0002)" */
    public String probabilitiesText() {
        StringBuilder sb = new StringBuilder();
        for (int c = 0; c < probabilities.length; c++) {
            sb.append(c == 0 ? "" : "  ").append(String.format(Locale.ROOT, "%d: %.4f", c, probabilities[c]));
        }
        return sb.toString();
    }
}
