package dev.mnistlab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.loss.Loss;
import dev.mnistlab.MnistlabException;
import dev.mnistlab.data.BatchStream;
import dev.mnistlab.data.Normalization;
import dev.mnistlab.data.Split;
import dev.mnistlab.model.Shape3;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Locale;

/**
 * The one evaluation routine: a model's forward pass over a labelled split in batches of 250 in split
 * order, scored with the loss training minimises (DJL's softmax cross-entropy, the batch means weighted by
 * batch size). Training calls it after every epoch, {@code evaluate} and library users on a trained model,
 * so all report the same numbers.
 */
public final class Evaluator {

    static final int BATCH = 250;
    private static final Loss LOSS = Loss.softmaxCrossEntropyLoss();

    /**
     * A model in evaluation mode (no dropout, BatchNorm's running statistics): logits (n x 10) for a batch of
     * n normalised images. The images live in a sub-manager of the evaluation's, closed after the batch.
     */
    @FunctionalInterface
    public interface Forward {
        NDArray logits(NDArray images);
    }

    /** One batch's share: its mean loss, and per image the predicted class and that class's probability. */
    record Scored(float loss, long[] predicted, float[] confidence) {}

    /** Runs a batch on one model: the manager whose sub-managers hold the batch's arrays, and its forward pass. */
    interface BatchTask {
        Scored run(int batch, NDManager manager, Forward forward);
    }

    /** Runs {@code task} for batches 0..count-1, maybe on several model copies at once, and returns the results in batch order. */
    interface Spread {
        List<Scored> run(int count, BatchTask task);
    }

    private Evaluator() {}

    /**
     * Evaluates one model on {@code split}, on this thread.
     *
     * @param normalization the recipe's, as the model was trained with
     * @param input the spec's input shape; the split's images must have it
     */
    public static Evaluation evaluate(Split split, Normalization normalization, Shape3 input, NDManager manager,
                                      Forward forward) {
        if (split.rows() != input.height() || split.cols() != input.width() || input.channels() != 1) {
            throw new MnistlabException(String.format(Locale.ROOT, "the %s images are %dx%d but the model expects %s; "
                    + "evaluate on a data set of that size", split.name(), split.rows(), split.cols(), input));
        }
        Spread oneByOne = (count, task) -> java.util.stream.IntStream.range(0, count)
                .mapToObj(b -> task.run(b, manager, forward)).toList();
        return evaluate(split, BatchStream.unitPixels(split), normalization, input, oneByOne);
    }

    /** As above with the split's pixels in [0, 1] already at hand, the batches spread as {@code spread} runs them. */
    static Evaluation evaluate(Split split, float[] unitPixels, Normalization normalization, Shape3 input, Spread spread) {
        int pixels = input.size();
        int batches = BatchStream.batches(split.count(), BATCH, false);
        List<Scored> scored = spread.run(batches, (b, manager, forward) -> {
            int first = b * BATCH;
            int size = Math.min(BATCH, split.count() - first);
            try (NDManager batch = manager.newSubManager()) {
                NDArray x = batch.create(FloatBuffer.wrap(normalization.apply(unitPixels, first * pixels, size * pixels)),
                        new Shape(size, input.channels(), input.height(), input.width()));
                NDArray y = batch.create(labels(split, first, size));
                NDArray logits = forward.logits(x);
                float loss = LOSS.evaluate(new NDList(y), new NDList(logits)).getFloat();
                long[] predicted = logits.argMax(1).toType(DataType.INT64, false).toLongArray();
                float[] confidence = logits.softmax(1).max(new int[] {1}).toFloatArray();
                return new Scored(loss, predicted, confidence);
            }
        });
        double lossSum = 0;
        int[] predictions = new int[split.count()];
        float[] confidence = new float[split.count()];
        for (int b = 0; b < batches; b++) {
            Scored s = scored.get(b);
            int first = b * BATCH;
            int size = s.predicted().length;
            lossSum += s.loss() * size; // a float product, as recorded runs summed it
            for (int i = 0; i < size; i++) {
                predictions[first + i] = (int) s.predicted()[i];
                confidence[first + i] = s.confidence()[i];
            }
        }
        return new Evaluation(split.name(), lossSum / split.count(), split.labels(), predictions, confidence);
    }

    private static long[] labels(Split split, int first, int size) {
        long[] labels = new long[size];
        for (int i = 0; i < size; i++) {
            labels[i] = split.label(first + i);
        }
        return labels;
    }
}
