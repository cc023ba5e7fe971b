package dev.mnistlab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.loss.Loss;

/**
 * Softmax cross-entropy with label smoothing, computed as PyTorch's {@code CrossEntropyLoss(label_smoothing=s)}
 * computes it for class labels: (1 - s) * mean(-log p[label]) + (s / C) * mean(-sum over classes of log p),
 * the batch mean of the cross-entropy to the target 1 - s + s/C on the label and s/C elsewhere.
 */
final class SmoothedCrossEntropy extends Loss {

    private final double smoothing;

    SmoothedCrossEntropy(double smoothing) {
        super("SmoothedCrossEntropy");
        this.smoothing = smoothing;
    }

    /**
     * The loss of {@code prediction} (logits, batch x classes) for {@code label} (class indices). The two weights
     * are arrays of the batch's manager, not Java numbers: DJL frees a Number's scalar right after the multiply
     * although backward still reads it.
     */
    @Override
    public NDArray evaluate(NDList label, NDList prediction) {
        NDArray logits = prediction.singletonOrThrow();
        NDArray logProbabilities = logits.logSoftmax(1);
        NDArray nll = logProbabilities.get(new NDIndex().addAllDim().addPickDim(label.singletonOrThrow())).neg().mean();
        NDArray uniform = logProbabilities.sum(new int[] {1}).neg().mean();
        NDManager batch = logits.getManager();
        long classes = logits.getShape().get(1);
        return nll.mul(batch.create((float) (1 - smoothing))).add(uniform.mul(batch.create((float) (smoothing / classes))));
    }
}
