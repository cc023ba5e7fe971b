package dev.mnistlab.train.schedule;

/**
 * Learning-rate (and optionally momentum) as a function of the global batch index.
 *
 * <p>{@code step} counts optimizer updates from 0 across all epochs; the value returned is the one the
 * optimizer must use <em>during</em> that update. This is what PyTorch's optimizer holds during the
 * step-th batch when per-epoch schedulers are stepped after each epoch and OneCycleLR after each batch,
 * so traces can be compared one-to-one with PyTorch (see ScheduleTest).
 */
public interface Schedule {

    double lr(long step);

    /** Momentum for the step-th update; only schedules that cycle momentum override {@code baseMomentum}. */
    default double momentum(long step, double baseMomentum) {
        return baseMomentum;
    }
}
