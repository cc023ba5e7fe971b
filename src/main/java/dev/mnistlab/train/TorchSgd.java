package dev.mnistlab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.optimizer.Optimizer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SGD with PyTorch's update rule. DJL's own Sgd folds the learning rate into the momentum buffer
 * (MXNet's convention), which changes what a StepLR drop or a OneCycle schedule does; here
 * buf = momentum * buf + (grad + wd * w) and w -= lr * buf, as torch.optim.SGD (dampening 0).
 * The buffers are kept by parameter name so a checkpoint can save and restore them.
 */
public final class TorchSgd extends Optimizer {

    private final NDManager stateManager;
    private final double weightDecay;
    private final boolean nesterov;
    private final Map<String, NDArray> momentumBuffers = new LinkedHashMap<>();
    private double lr;
    private double momentum;

    public TorchSgd(NDManager stateManager, double weightDecay, boolean nesterov) {
        super(new Builder());
        this.stateManager = stateManager;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
    }

    /** Set by the training loop before every step, from the schedule. */
    public void setHyperparameters(double lr, double momentum) {
        this.lr = lr;
        this.momentum = momentum;
    }

    public Map<String, NDArray> momentumBuffers() {
        return momentumBuffers;
    }

    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        // grad is the trainer's private copy, so it can be modified in place
        if (weightDecay != 0) {
            try (NDArray decay = weight.mul(weightDecay)) {
                grad.addi(decay);
            }
        }
        NDArray step = grad;
        NDArray nesterovStep = null;
        if (momentum != 0) {
            NDArray buf = momentumBuffers.get(parameterId);
            if (buf == null) {
                buf = grad.duplicate();
                buf.attach(stateManager);
                momentumBuffers.put(parameterId, buf);
            } else {
                buf.muli(momentum).addi(grad);
            }
            if (nesterov) {
                nesterovStep = buf.mul(momentum);
                step = nesterovStep.addi(grad);
            } else {
                step = buf;
            }
        }
        try (NDArray delta = step.mul(lr)) {
            weight.subi(delta);
        }
        if (nesterovStep != null) {
            nesterovStep.close();
        }
        // gradients accumulate in libtorch until zeroed, as DJL's own optimizers do after each update
        try (NDArray accumulated = weight.getGradient()) {
            accumulated.muli(0);
        }
    }

    private static final class Builder extends OptimizerBuilder<Builder> {
        @Override
        protected Builder self() {
            return this;
        }
    }
}
