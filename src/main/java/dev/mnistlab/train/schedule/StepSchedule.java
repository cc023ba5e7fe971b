package dev.mnistlab.train.schedule;

/**
 * PyTorch StepLR: the lr is multiplied by {@code gamma} every {@code stepSize} epochs.
 * Built (and validated) by {@link Schedules#create}.
 */
public final class StepSchedule implements Schedule {

    private final double baseLr;
    private final int stepSize;
    private final double gamma;
    private final int stepsPerEpoch;

    StepSchedule(double baseLr, int stepSize, double gamma, int stepsPerEpoch) {
        this.baseLr = baseLr;
        this.stepSize = stepSize;
        this.gamma = gamma;
        this.stepsPerEpoch = stepsPerEpoch;
    }

    @Override
    public double lr(long step) {
        // scheduler.step() runs after each epoch, so the whole epoch shares one lr (closed form of StepLR).
        long epoch = Schedules.epochOf(step, stepsPerEpoch);
        return baseLr * Math.pow(gamma, epoch / stepSize);
    }

    @Override
    public String toString() {
        return "step(lr=" + baseLr + ", step_size=" + stepSize + ", gamma=" + gamma + ")";
    }
}
