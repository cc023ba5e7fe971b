package dev.mnistlab.train;

import dev.mnistlab.MnistlabException;
import dev.mnistlab.data.Augmentation;
import dev.mnistlab.data.Normalization;
import dev.mnistlab.train.schedule.ScheduleConfig;
import dev.mnistlab.train.schedule.Schedules;

/**
 * How a model is trained. Read from YAML with snake_case keys; anything left out keeps the default
 * written here, which is the write-ups' common recipe.
 */
public final class Recipe {

    public int epochs = 15;
    public int batchSize = 128;
    public long seed = 1;
    public OptimizerSettings optimizer = new OptimizerSettings();
    public ScheduleConfig schedule = ScheduleConfig.constant();
    public Normalization normalize = Normalization.MNIST;
    public Augmentation augment = Augmentation.NONE;
    public Constraints constraints = new Constraints();

    /** SGD or Adam with their usual knobs. */
    public static final class OptimizerSettings {
        public String name = "sgd";
        public double lr = 0.01;
        public double momentum = 0.9;
        public double weightDecay = 0;
        public boolean nesterov = false;
    }

    /** The exercise's rules, checked at the end of every run. */
    public static final class Constraints {
        public long maxParams = 8000;
        public int maxEpochs = 15;
        public double targetAccuracy = 99.40;
        public int lastEpochs = 3;
        /** When true, a model over budget is refused before training instead of reported as FAIL. */
        public boolean hardBudget = false;
    }

    public void validate(String where) {
        if (epochs < 1) {
            throw new MnistlabException(where + ": epochs must be >= 1 (got " + epochs + ")");
        }
        if (batchSize < 1) {
            throw new MnistlabException(where + ": batch_size must be >= 1 (got " + batchSize + ")");
        }
        if (!(optimizer.lr > 0) || Double.isInfinite(optimizer.lr)) {
            throw new MnistlabException(where + ": optimizer.lr must be > 0 (got " + optimizer.lr + ")");
        }
        if (!optimizer.name.equals("sgd") && !optimizer.name.equals("adam")) {
            throw new MnistlabException(where + ": unknown optimizer '" + optimizer.name + "'; use sgd or adam");
        }
        if (optimizer.momentum < 0 || optimizer.momentum >= 1) {
            throw new MnistlabException(where + ": optimizer.momentum must be in [0, 1) (got " + optimizer.momentum + ")");
        }
        if (optimizer.weightDecay < 0) {
            throw new MnistlabException(where + ": optimizer.weight_decay must be >= 0 (got " + optimizer.weightDecay + ")");
        }
        if (!(normalize.std() > 0)) {
            throw new MnistlabException(where + ": normalize.std must be > 0 (got " + normalize.std() + ")");
        }
        // the schedule checks its own settings, here all that do not depend on the steps per epoch
        // (training checks the rest once it knows them)
        Schedules.validate(schedule, optimizer.lr, epochs);
        if (constraints.lastEpochs < 1) {
            throw new MnistlabException(where + ": constraints.last_epochs must be >= 1 (got " + constraints.lastEpochs + ")");
        }
    }
}
