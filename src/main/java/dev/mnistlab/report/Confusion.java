package dev.mnistlab.report;

import dev.mnistlab.train.Evaluation;
import java.util.Comparator;
import java.util.List;

/** Counts over predictions.csv: the confusion matrix and the mistakes worth looking at. */
public final class Confusion {

    private Confusion() {}

    /** counts[true][predicted], counted as {@link Evaluation#confusion(int[], int[])} counts every confusion matrix. */
    public static int[][] matrix(List<RunData.Prediction> predictions) {
        return Evaluation.confusion(predictions.stream().mapToInt(RunData.Prediction::label).toArray(),
                predictions.stream().mapToInt(RunData.Prediction::predicted).toArray());
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
