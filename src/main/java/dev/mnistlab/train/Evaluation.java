package dev.mnistlab.train;

import dev.mnistlab.data.MnistData;
import java.util.Locale;

/**
 * A model's pass over a labelled split, as {@link Evaluator} computes it for training, {@code evaluate} and
 * library users alike: the mean loss and, per sample in split order, its label, the predicted class and the
 * softmax probability of that class.
 *
 * @param split the split's name, "test" or "validation" (images held out of the training set)
 * @param loss mean cross-entropy over the split (the write-ups' "Average loss"; metrics.csv's test_loss)
 */
public record Evaluation(String split, double loss, byte[] labels, int[] predictions, float[] confidence) {

    public int total() {
        return labels.length;
    }

    public int correct() {
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            if (predictions[i] == labels[i]) {
                correct++;
            }
        }
        return correct;
    }

    /** Percent correct. */
    public double accuracy() {
        return 100.0 * correct() / total();
    }

    /** counts[true label][predicted class]. */
    public int[][] confusion() {
        int[] trueLabels = new int[labels.length];
        for (int i = 0; i < labels.length; i++) {
            trueLabels[i] = labels[i];
        }
        return confusion(trueLabels, predictions);
    }

    /** counts[true label][predicted class] of paired arrays; what every confusion matrix in mnistlab is counted with. */
    public static int[][] confusion(int[] labels, int[] predictions) {
        int[][] counts = new int[MnistData.CLASSES][MnistData.CLASSES];
        for (int i = 0; i < labels.length; i++) {
            counts[labels[i]][predictions[i]]++;
        }
        return counts;
    }

    /** The write-ups' line, naming the split: "Test set: Average loss: 0.0176, Accuracy: 9942/10000 (99.42%)". */
    public String line() {
        String set = split.isEmpty() ? "Evaluation" : Character.toUpperCase(split.charAt(0)) + split.substring(1);
        return String.format(Locale.ROOT, "%s set: Average loss: %.4f, Accuracy: %d/%d (%.2f%%)",
                set, loss, correct(), total(), accuracy());
    }

    /** The line, the accuracy per class and the confusion matrix, as plain text. */
    public String text() {
        int[][] confusion = confusion();
        StringBuilder sb = new StringBuilder(line()).append("\n\nPer class:\n");
        sb.append("  digit  images  correct  accuracy\n");
        for (int c = 0; c < MnistData.CLASSES; c++) {
            int n = java.util.Arrays.stream(confusion[c]).sum();
            sb.append(String.format(Locale.ROOT, "  %5d  %6d  %7d  %7.2f%%%n", c, n, confusion[c][c],
                    n == 0 ? 0.0 : 100.0 * confusion[c][c] / n));
        }
        sb.append("\nConfusion matrix (rows: true digit, columns: predicted):\n      ");
        for (int c = 0; c < MnistData.CLASSES; c++) {
            sb.append(String.format(Locale.ROOT, "%6d", c));
        }
        sb.append('\n');
        for (int r = 0; r < MnistData.CLASSES; r++) {
            sb.append(String.format(Locale.ROOT, "  %d | ", r));
            for (int c = 0; c < MnistData.CLASSES; c++) {
                sb.append(String.format(Locale.ROOT, "%6d", confusion[r][c]));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** predictions.csv: one row per sample, in split order. */
    public String predictionsCsv() {
        StringBuilder sb = new StringBuilder("index,label,predicted,confidence\n");
        for (int i = 0; i < total(); i++) {
            sb.append(i).append(',').append(labels[i]).append(',').append(predictions[i]).append(',')
                    .append(String.format(Locale.ROOT, "%.5f", confidence[i])).append('\n');
        }
        return sb.toString();
    }
}
