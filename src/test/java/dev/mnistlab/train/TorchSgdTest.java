package dev.mnistlab.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

/** torch.optim.SGD's rule (dampening 0): d = g + wd*w; buf = m*buf + d (buf = d at first); w -= lr*buf. */
class TorchSgdTest {

    @Test
    void followsPyTorchsUpdateRuleAcrossALearningRateDrop() {
        double[] w = {1.0, 2.0};
        double[][] grads = {{0.5, -1.0}, {0.1, 0.2}, {-0.3, 0.4}};
        double[] lrs = {0.1, 0.01, 0.01};
        double m = 0.9;
        double wd = 0.01;
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray weight = manager.create(new float[] {1f, 2f});
            weight.setRequiresGradient(true);
            TorchSgd sgd = new TorchSgd(manager, wd, false);
            double[] buf = null;
            for (int step = 0; step < grads.length; step++) {
                double[] d = {grads[step][0] + wd * w[0], grads[step][1] + wd * w[1]};
                buf = buf == null ? d : new double[] {m * buf[0] + d[0], m * buf[1] + d[1]};
                w = new double[] {w[0] - lrs[step] * buf[0], w[1] - lrs[step] * buf[1]};

                sgd.setHyperparameters(lrs[step], m);
                try (NDArray grad = manager.create(new float[] {(float) grads[step][0], (float) grads[step][1]})) {
                    sgd.update("w", weight, grad);
                }
                float[] actual = weight.toFloatArray();
                assertThat((double) actual[0]).as("step %d", step).isCloseTo(w[0], within(1e-6));
                assertThat((double) actual[1]).as("step %d", step).isCloseTo(w[1], within(1e-6));
            }
            assertThat(sgd.momentumBuffers()).containsKey("w");
        }
    }
}
