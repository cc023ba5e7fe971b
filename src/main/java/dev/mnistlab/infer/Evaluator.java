package dev.mnistlab.infer;

import dev.mnistlab.MnistlabException;
import dev.mnistlab.data.BatchStream;
import dev.mnistlab.data.Split;
import dev.mnistlab.model.Shape3;

/** Runs a trained model over a labelled split and tallies loss, accuracy and the confusion matrix. */
public final class Evaluator {

    private static final int BATCH = 1000;

    private Evaluator() {}

    public static EvaluationReport evaluate(TrainedModel model, Split split) {
        Shape3 in = model.experiment().spec().input();
        if (split.rows() != in.height() || split.cols() != in.width() || in.channels() != 1) {
            throw new MnistlabException(String.format("the %s images are %dx%d but the run's spec expects %s; "
                    + "evaluate on a data set of that size", split.name(), split.rows(), split.cols(), in));
        }
        float[] pixels = BatchStream.unitPixels(split);
        int[][] confusion = new int[10][10];
        int[] predicted = new int[split.count()];
        double lossSum = 0;
        for (int first = 0; first < split.count(); first += BATCH) {
            int count = Math.min(BATCH, split.count() - first);
            float[] logits = model.logits(pixels, first, count);
            for (int i = 0; i < count; i++) {
                Prediction p = Prediction.fromLogits(logits, i);
                int label = split.label(first + i);
                // cross-entropy from the softmax; the floor keeps a certain-but-wrong sample finite
                lossSum -= Math.log(Math.max(p.probabilities()[label], Double.MIN_NORMAL));
                confusion[label][p.digit()]++;
                predicted[first + i] = p.digit();
            }
        }
        return new EvaluationReport(split.name(), lossSum / split.count(), confusion, predicted);
    }
}
