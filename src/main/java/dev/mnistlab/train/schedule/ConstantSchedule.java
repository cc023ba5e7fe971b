package dev.mnistlab.train.schedule;

/** The same learning rate for every step (no scheduler in PyTorch terms). */
public final class ConstantSchedule implements Schedule {

    private final double lr;

    public ConstantSchedule(double lr) {
        this.lr = lr;
    }

    @Override
    public double lr(long step) {
        return lr;
    }

    @Override
    public String toString() {
        return "constant(lr=" + lr + ")";
    }
}
