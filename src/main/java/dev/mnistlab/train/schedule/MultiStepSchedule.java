package dev.mnistlab.train.schedule;

import java.util.List;

/**
 * PyTorch MultiStepLR: the lr is multiplied by {@code gamma} at each milestone epoch.
 * Built (and validated: milestones strictly increasing) by {@link Schedules#create}.
 */
public final class MultiStepSchedule implements Schedule {

    private final double baseLr;
    private final List<Integer> milestones;
    private final double gamma;
    private final int stepsPerEpoch;

    MultiStepSchedule(double baseLr, List<Integer> milestones, double gamma, int stepsPerEpoch) {
        this.baseLr = baseLr;
        this.milestones = List.copyOf(milestones);
        this.gamma = gamma;
        this.stepsPerEpoch = stepsPerEpoch;
    }

    @Override
    public double lr(long step) {
        long epoch = Schedules.epochOf(step, stepsPerEpoch);
        // PyTorch's closed form: gamma ** bisect_right(milestones, epoch).
        int passed = 0;
        for (int m : milestones) {
            if (m <= epoch) {
                passed++;
            }
        }
        return baseLr * Math.pow(gamma, passed);
    }

    @Override
    public String toString() {
        return "multistep(lr=" + baseLr + ", milestones=" + milestones + ", gamma=" + gamma + ")";
    }
}
