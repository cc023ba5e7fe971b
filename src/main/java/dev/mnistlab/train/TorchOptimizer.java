package dev.mnistlab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.optimizer.Optimizer;
import java.util.Map;

/**
 * An optimizer with PyTorch's update rule that the training loop drives: before every step the schedule
 * sets the learning rate and momentum, and a checkpoint saves and restores the per-parameter state, so a
 * resumed run continues exactly. {@link TorchSgd} and {@link TorchAdam} are the two.
 */
public abstract class TorchOptimizer extends Optimizer {

    protected TorchOptimizer() {
        super(new Builder());
    }

    /** The optimizer a recipe names. */
    public static TorchOptimizer of(Recipe.OptimizerSettings settings, NDManager stateManager) {
        TorchOptimizer optimizer = settings.name().equals("adam")
                ? new TorchAdam(stateManager, settings.weightDecay())
                : new TorchSgd(stateManager, settings.weightDecay(), settings.nesterov());
        optimizer.setHyperparameters(settings.lr(), settings.momentum());
        return optimizer;
    }

    /**
     * The values for the next steps, from the schedule: the learning rate and the momentum (SGD's momentum;
     * Adam's beta1, which is what PyTorch's OneCycleLR cycles as momentum).
     */
    public abstract void setHyperparameters(double lr, double momentum);

    /**
     * The per-parameter state a checkpoint keeps, by slot (e.g. "momentum") and parameter id. The maps are
     * live: a checkpoint restores by putting arrays into them.
     */
    public abstract Map<String, Map<String, NDArray>> state();

    /** On resume: {@code steps} optimizer steps were taken before (Adam's bias correction counts them). */
    public void resumeAfter(long steps) {
    }

    /** Zeroes the gradient that libtorch accumulates until told otherwise, as DJL's own optimizers do after an update. */
    static void clearGradient(NDArray weight) {
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
