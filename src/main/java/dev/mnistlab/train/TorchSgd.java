package dev.mnistlab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SGD with PyTorch's update rule. DJL's own Sgd folds the learning rate into the momentum buffer
 * (MXNet's convention), which changes what a StepLR drop or a OneCycle schedule does; here
 * buf = momentum * buf + (grad + wd * w) and w -= lr * buf, as torch.optim.SGD (dampening 0), and with
 * Nesterov w -= lr * (grad + wd * w + momentum * buf). The buffers are kept by parameter id so a
 * checkpoint can save and restore them.
 */
public final class TorchSgd extends TorchOptimizer {

    private final NDManager stateManager;
    private final double weightDecay;
    private final boolean nesterov;
    private final Map<String, NDArray> momentumBuffers = new LinkedHashMap<>();
    private double lr;
    private double momentum;

    public TorchSgd(NDManager stateManager, double weightDecay, boolean nesterov) {
        this.stateManager = stateManager;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
    }

    @Override
    public void setHyperparameters(double lr, double momentum) {
        this.lr = lr;
        this.momentum = momentum;
    }

    public Map<String, NDArray> momentumBuffers() {
        return momentumBuffers;
    }

    @Override
    public Map<String, Map<String, NDArray>> state() {
        return Map.of("momentum", momentumBuffers);
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
        clearGradient(weight);
    }
}
