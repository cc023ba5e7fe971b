package dev.mnistlab.report;

import java.util.Comparator;
import java.util.List;

/** Counts over predictions.csv: the confusion matrix and the mistakes worth looking at. */
public final class Confusion {

    public static final int CLASSES = 10;

    private Confusion() {}

    /** counts[true][predicted]. */
    public static int[][] matrix(List<RunData.Prediction> predictions) {
        int[][] counts = new int[CLASSES][CLASSES];
        for (RunData.Prediction p : predictions) {
            counts[p.label()][p.predicted()]++;
        }
        return counts;
    }

    /** The wrong predictions, most confident first: those are the ones that tell most about the model. */
    public static List<RunData.Prediction> mistakes(List<RunData.Prediction> predictions, int limit) {
        return predictions.stream().filter(RunData.Prediction::wrong)
                .sorted(Comparator.comparingDouble(RunData.Prediction::confidence).reversed()
                        .thenComparingInt(RunData.Prediction::index))
                .limit(limit).toList();
    }

    public static long wrong(List<RunData.Prediction> predictions) {
        return predictions.stream().filter(RunData.Prediction::wrong).count();
    }
}
