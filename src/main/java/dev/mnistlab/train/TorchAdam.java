package dev.mnistlab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adam with torch.optim.Adam's rule (L2 weight decay, not AdamW; no amsgrad):
 * <pre>
 * g = grad + wd * w
 * m = beta1 * m + (1 - beta1) * g          v = beta2 * v + (1 - beta2) * g * g
 * w -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * DJL's Adam adds eps to the uncorrected sqrt(v) instead, which makes early steps of parameters with small
 * gradients differ from PyTorch, and keeps its moments private, so a resumed run could not continue them.
 * Here the moments are kept by parameter id for the checkpoint, and beta1 is the momentum the schedule
 * sets, as PyTorch's OneCycleLR cycles it.
 */
public final class TorchAdam extends TorchOptimizer {

    static final double BETA2 = 0.999;
    static final double EPS = 1e-8;

    private final NDManager stateManager;
    private final double weightDecay;
    private final Map<String, NDArray> means = new LinkedHashMap<>();
    private final Map<String, NDArray> variances = new LinkedHashMap<>();
    private final Map<String, Long> steps = new HashMap<>();
    private long resumedSteps;
    private double lr;
    private double beta1;

    public TorchAdam(NDManager stateManager, double weightDecay) {
        this.stateManager = stateManager;
        this.weightDecay = weightDecay;
    }

    @Override
    public void setHyperparameters(double lr, double momentum) {
        this.lr = lr;
        this.beta1 = momentum;
    }

    @Override
    public Map<String, Map<String, NDArray>> state() {
        Map<String, Map<String, NDArray>> slots = new LinkedHashMap<>(); // PyTorch's names, in a fixed order
        slots.put("exp_avg", means);
        slots.put("exp_avg_sq", variances);
        return slots;
    }

    @Override
    public void resumeAfter(long steps) {
        this.resumedSteps = steps;
    }

    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        long t = steps.merge(parameterId, resumedSteps + 1, (previous, one) -> previous + 1);
        // grad is the trainer's private copy, so it can be modified in place
        if (weightDecay != 0) {
            try (NDArray decay = weight.mul(weightDecay)) {
                grad.addi(decay);
            }
        }
        NDArray m = means.computeIfAbsent(parameterId, id -> zerosLike(weight));
        NDArray v = variances.computeIfAbsent(parameterId, id -> zerosLike(weight));
        try (NDArray g1 = grad.mul(1 - beta1); NDArray g2 = grad.mul(grad).muli(1 - BETA2)) {
            m.muli(beta1).addi(g1);
            v.muli(BETA2).addi(g2);
        }
        double stepSize = lr / (1 - Math.pow(beta1, t));
        double correction2 = Math.sqrt(1 - Math.pow(BETA2, t));
        // PyTorch's addcdiv_(m, denom, value=-stepSize): (stepSize * m) / denom, subtracted
        try (NDArray denom = v.sqrt().divi(correction2).addi(EPS); NDArray delta = m.mul(stepSize).divi(denom)) {
            weight.subi(delta);
        }
        clearGradient(weight);
    }

    private NDArray zerosLike(NDArray weight) {
        NDArray zeros = weight.zerosLike();
        zeros.attach(stateManager);
        return zeros;
    }
}
