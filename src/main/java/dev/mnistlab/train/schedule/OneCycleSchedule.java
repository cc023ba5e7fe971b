package dev.mnistlab.train.schedule;

/**
 * PyTorch OneCycleLR (stepped after every batch), a line-by-line port of its {@code get_lr} so that
 * traces match torch to rounding: same phase end steps, same anneal formulas, same momentum cycling
 * (momentum moves inversely to the lr). Built (and validated) by {@link Schedules#create}.
 */
public final class OneCycleSchedule implements Schedule {

    /** One phase of the cycle, ending (inclusively) at {@code endStep}, which PyTorch keeps as a float. */
    private record Phase(double endStep, double startLr, double endLr, double startMomentum, double endMomentum) {
    }

    private final long totalSteps;
    private final boolean cosine;
    private final boolean cycleMomentum;
    private final Phase[] phases;

    OneCycleSchedule(double maxLr, long totalSteps, double pctStart, boolean cosine, double divFactor,
                     double finalDivFactor, boolean threePhase, boolean cycleMomentum,
                     double baseMomentum, double maxMomentum) {
        this.totalSteps = totalSteps;
        this.cosine = cosine;
        this.cycleMomentum = cycleMomentum;
        double initialLr = maxLr / divFactor;
        double minLr = initialLr / finalDivFactor;
        double warmupEnd = pctStart * totalSteps - 1;
        double lastStep = totalSteps - 1;
        if (threePhase) {
            phases = new Phase[] {
                new Phase(warmupEnd, initialLr, maxLr, maxMomentum, baseMomentum),
                new Phase(2 * pctStart * totalSteps - 2, maxLr, initialLr, baseMomentum, maxMomentum),
                new Phase(lastStep, initialLr, minLr, maxMomentum, maxMomentum),
            };
        } else {
            phases = new Phase[] {
                new Phase(warmupEnd, initialLr, maxLr, maxMomentum, baseMomentum),
                new Phase(lastStep, maxLr, minLr, baseMomentum, maxMomentum),
            };
        }
    }

    @Override
    public double lr(long step) {
        return value(step, false);
    }

    @Override
    public double momentum(long step, double baseMomentum) {
        // Like PyTorch, a cycling schedule overwrites the optimizer's own momentum.
        return cycleMomentum ? value(step, true) : baseMomentum;
    }

    private double value(long step, boolean momentum) {
        if (step < 0 || step >= totalSteps) {
            // A trainer asking beyond the cycle has a steps-per-epoch mismatch; fail rather than extrapolate.
            throw new IllegalArgumentException(
                    "onecycle step " + step + " outside [0, " + totalSteps + "): steps per epoch or epochs disagree");
        }
        double startStep = 0;
        for (int i = 0; i < phases.length; i++) {
            Phase p = phases[i];
            if (step <= p.endStep() || i == phases.length - 1) {
                double pct = (step - startStep) / (p.endStep() - startStep);
                return momentum ? anneal(p.startMomentum(), p.endMomentum(), pct) : anneal(p.startLr(), p.endLr(), pct);
            }
            startStep = p.endStep();
        }
        throw new AssertionError("unreachable: the last phase always matches");
    }

    private double anneal(double start, double end, double pct) {
        if (cosine) {
            double cosOut = Math.cos(Math.PI * pct) + 1;
            return end + (start - end) / 2.0 * cosOut;
        }
        return (end - start) * pct + start;
    }

    @Override
    public String toString() {
        return "onecycle(total_steps=" + totalSteps + ", phases=" + java.util.Arrays.toString(phases) + ")";
    }
}
