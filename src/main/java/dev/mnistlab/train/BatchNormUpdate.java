package dev.mnistlab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import dev.mnistlab.data.Batch;
import dev.mnistlab.data.BatchStream;
import dev.mnistlab.model.ModelBuilder;
import dev.mnistlab.model.Shape3;
import dev.mnistlab.model.StagingBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PyTorch's {@code swa_utils.update_bn}: one pass of a model in training mode (BatchNorm normalising with each
 * batch's statistics, dropout on) over a stream of batches, after which every BatchNorm's running mean and
 * variance are the plain averages of the batches' means and unbiased variances (BatchNorm with momentum=None).
 * Weights do not change.
 */
final class BatchNormUpdate {

    private BatchNormUpdate() {}

    /** Re-estimates the running statistics of every BatchNorm among {@code net}'s children from {@code batches}. */
    static void run(Block net, BatchStream batches, NDManager manager, Shape3 input) {
        List<Block> children = new ArrayList<>(net.getChildren().values());
        WeightAverage.withoutGradients(() -> pass(children, batches, manager, input));
    }

    private static void pass(List<Block> children, BatchStream batches, NDManager manager, Shape3 input) {
        Map<Integer, NDArray[]> sums = new LinkedHashMap<>(); // child index -> {sum of means, sum of variances}
        int pixels = input.size();
        StagingBuffer staging = new StagingBuffer();
        int count = 0;
        try (NDManager totals = manager.newSubManager(); BatchStream.Batches stream = batches.iterator()) {
            ParameterStore store = new ParameterStore(totals, false);
            while (stream.hasNext()) {
                Batch batch = stream.next();
                try (NDManager m = totals.newSubManager()) {
                    batch.prepare(0, batch.size());
                    NDArray x = staging.wrap(m, batch.images(), 0, batch.size() * pixels,
                            new Shape(batch.size(), input.channels(), input.height(), input.width()));
                    for (int i = 0; i < children.size(); i++) {
                        x = children.get(i) instanceof BatchNorm
                                ? normalised(children.get(i), x, sums.computeIfAbsent(i, k -> new NDArray[2]), totals)
                                : children.get(i).forward(store, new NDList(x), true).singletonOrThrow();
                    }
                }
                count++;
            }
            for (Map.Entry<Integer, NDArray[]> e : sums.entrySet()) {
                var parameters = children.get(e.getKey()).getParameters();
                WeightAverage.overwrite(parameters.get("runningMean").getArray(), e.getValue()[0].divi(count));
                WeightAverage.overwrite(parameters.get("runningVar").getArray(), e.getValue()[1].divi(count));
            }
        }
    }

    /**
     * BatchNorm in training mode on {@code x} (N x C x H x W, or N x C), normalised with the batch's statistics,
     * whose per-channel mean and unbiased variance are added to {@code sum}: libtorch's batch_norm with momentum
     * 1 leaves exactly those in the running arrays it is given.
     */
    private static NDArray normalised(Block batchNorm, NDArray x, NDArray[] sum, NDManager totals) {
        var parameters = batchNorm.getParameters();
        Shape channels = new Shape(x.getShape().get(1));
        NDManager batch = x.getManager();
        PtNDArray mean = (PtNDArray) batch.zeros(channels);
        PtNDArray variance = (PtNDArray) batch.ones(channels);
        NDArray y = JniUtils.batchNorm((PtNDArray) x, mean, variance, (PtNDArray) parameters.get("gamma").getArray(),
                (PtNDArray) parameters.get("beta").getArray(), true, 1.0, ModelBuilder.BATCHNORM_EPSILON);
        if (sum[0] == null) {
            sum[0] = mean.duplicate();
            sum[1] = variance.duplicate();
            sum[0].attach(totals);
            sum[1].attach(totals);
        } else {
            sum[0].addi(mean);
            sum[1].addi(variance);
        }
        return y;
    }
}
