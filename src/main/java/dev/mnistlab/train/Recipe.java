package dev.mnistlab.train;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistlab.MnistlabException;
import dev.mnistlab.YamlFiles;
import dev.mnistlab.data.Augmentation;
import dev.mnistlab.data.Normalization;
import dev.mnistlab.train.schedule.ScheduleConfig;
import dev.mnistlab.train.schedule.Schedules;
import java.util.Locale;

/**
 * How a model is trained. Read from YAML with snake_case keys; anything left out keeps its value in
 * {@link #defaults()}, the write-ups' common recipe, also inside {@code optimizer:} and {@code constraints:}.
 * A {@code schedule:}, {@code normalize:}, {@code augment:} or {@code average:} block given replaces the default block whole.
 * Immutable: {@code with...} methods return changed copies, e.g. {@code recipe.withEpochs(5).withLr(0.05)}.
 *
 * @param epochs      epochs to train
 * @param batchSize   images per optimizer step
 * @param seed        seed of every random stream (same seed, machine and threads: same run)
 * @param optimizer   SGD or Adam and their settings
 * @param schedule    how the learning rate (and OneCycle's momentum) changes over the run
 * @param normalize   per-pixel normalisation after augmentation
 * @param augment     random training-time distortions
 * @param constraints the exercise's rules, checked at the end of every run
 * @param average     which weights are evaluated, saved and exported: the trained ones or an average of them
 * @param loss        the training loss's settings (label smoothing)
 */
public record Recipe(int epochs, int batchSize, long seed, OptimizerSettings optimizer, ScheduleConfig schedule,
                     Normalization normalize, Augmentation augment, Constraints constraints, Averaging average,
                     LossSettings loss) {

    /**
     * The most epochs a recipe may ask for. An epoch takes seconds to minutes here, so 1,000 is days of
     * training and anything above it a slip (1e9 once ran until it was stopped); it also keeps epochs x
     * batches per epoch, which schedules count in an int, far from overflowing even at batch size 1.
     */
    public static final int MAX_EPOCHS = 1000;

    /** The write-ups' common recipe: 15 epochs of SGD (lr 0.01, momentum 0.9), batch 128, seed 1, no schedule or augmentation. */
    public static Recipe defaults() {
        return new Recipe(15, 128, 1, OptimizerSettings.defaults(), ScheduleConfig.constant(), Normalization.MNIST,
                Augmentation.NONE, Constraints.defaults(), Averaging.NONE, LossSettings.defaults());
    }

    /** Reads a recipe from YAML onto the defaults and validates it; errors name {@code where}. */
    public static Recipe fromYaml(JsonNode node, String where) {
        Recipe recipe = YamlFiles.bind(node, defaults(), where, "optimizer", "constraints", "loss");
        recipe.validate(where);
        return recipe;
    }

    /**
     * SGD or Adam with their usual knobs.
     *
     * @param name        {@code sgd} or {@code adam}
     * @param lr          the learning rate (OneCycle's peak unless its max_lr is set)
     * @param momentum    SGD's momentum (OneCycle cycles it unless told not to)
     * @param weightDecay L2 penalty added to the gradient, as PyTorch's weight_decay
     * @param nesterov    SGD with Nesterov momentum
     */
    public record OptimizerSettings(String name, double lr, double momentum, double weightDecay, boolean nesterov) {

        /** SGD with lr 0.01 and momentum 0.9, no weight decay, no Nesterov. */
        public static OptimizerSettings defaults() {
            return new OptimizerSettings("sgd", 0.01, 0.9, 0, false);
        }

        public OptimizerSettings withName(String name) {
            return new OptimizerSettings(name, lr, momentum, weightDecay, nesterov);
        }

        public OptimizerSettings withLr(double lr) {
            return new OptimizerSettings(name, lr, momentum, weightDecay, nesterov);
        }

        public OptimizerSettings withMomentum(double momentum) {
            return new OptimizerSettings(name, lr, momentum, weightDecay, nesterov);
        }

        public OptimizerSettings withWeightDecay(double weightDecay) {
            return new OptimizerSettings(name, lr, momentum, weightDecay, nesterov);
        }

        public OptimizerSettings withNesterov(boolean nesterov) {
            return new OptimizerSettings(name, lr, momentum, weightDecay, nesterov);
        }
    }

    /**
     * The exercise's rules, checked at the end of every run.
     *
     * @param maxParams      trainable parameters must stay below this
     * @param maxEpochs      at most this many epochs
     * @param targetAccuracy test accuracy (%) every one of the last epochs must reach
     * @param lastEpochs     how many final epochs must reach it; searches rank trials over as many epochs
     * @param hardBudget     when true, a model over max_params or a recipe over max_epochs is refused before training
     *                       instead of reported as FAIL at the end
     */
    public record Constraints(long maxParams, int maxEpochs, double targetAccuracy, int lastEpochs, boolean hardBudget) {

        /** The exercise: fewer than 8,000 parameters, at most 15 epochs, 99.40% in each of the last 3. */
        public static Constraints defaults() {
            return new Constraints(8000, 15, 99.40, 3, false);
        }

        public Constraints withMaxParams(long maxParams) {
            return new Constraints(maxParams, maxEpochs, targetAccuracy, lastEpochs, hardBudget);
        }

        public Constraints withMaxEpochs(int maxEpochs) {
            return new Constraints(maxParams, maxEpochs, targetAccuracy, lastEpochs, hardBudget);
        }

        public Constraints withTargetAccuracy(double targetAccuracy) {
            return new Constraints(maxParams, maxEpochs, targetAccuracy, lastEpochs, hardBudget);
        }

        public Constraints withLastEpochs(int lastEpochs) {
            return new Constraints(maxParams, maxEpochs, targetAccuracy, lastEpochs, hardBudget);
        }

        public Constraints withHardBudget(boolean hardBudget) {
            return new Constraints(maxParams, maxEpochs, targetAccuracy, lastEpochs, hardBudget);
        }

        /** With a hard budget, refuses a model of {@code params} trainable parameters that is not below max_params. */
        public void requireWithinHardBudget(String model, long params) {
            if (hardBudget && params >= maxParams) {
                throw new MnistlabException(String.format(Locale.ROOT, "%s has %,d trainable parameters, over the hard "
                        + "budget of fewer than %,d; shrink the model or raise constraints.max_params", model, params, maxParams));
            }
        }
    }

    /**
     * The loss training minimises: softmax cross-entropy, as PyTorch's CrossEntropyLoss with its
     * {@code label_smoothing} (the target is 1 - s on the label plus s/10 on every class).
     *
     * @param labelSmoothing s, from 0 (none) up to, not including, 1
     */
    public record LossSettings(double labelSmoothing) {

        /** Plain cross-entropy. */
        public static LossSettings defaults() {
            return new LossSettings(0);
        }
    }

    public Recipe withEpochs(int epochs) {
        return new Recipe(epochs, batchSize, seed, optimizer, schedule, normalize, augment, constraints, average, loss);
    }

    public Recipe withBatchSize(int batchSize) {
        return new Recipe(epochs, batchSize, seed, optimizer, schedule, normalize, augment, constraints, average, loss);
    }

    public Recipe withSeed(long seed) {
        return new Recipe(epochs, batchSize, seed, optimizer, schedule, normalize, augment, constraints, average, loss);
    }

    public Recipe withOptimizer(OptimizerSettings optimizer) {
        return new Recipe(epochs, batchSize, seed, optimizer, schedule, normalize, augment, constraints, average, loss);
    }

    /** The optimizer's learning rate changed, the rest of its settings kept. */
    public Recipe withLr(double lr) {
        return withOptimizer(optimizer.withLr(lr));
    }

    public Recipe withSchedule(ScheduleConfig schedule) {
        return new Recipe(epochs, batchSize, seed, optimizer, schedule, normalize, augment, constraints, average, loss);
    }

    public Recipe withNormalize(Normalization normalize) {
        return new Recipe(epochs, batchSize, seed, optimizer, schedule, normalize, augment, constraints, average, loss);
    }

    public Recipe withAugment(Augmentation augment) {
        return new Recipe(epochs, batchSize, seed, optimizer, schedule, normalize, augment, constraints, average, loss);
    }

    public Recipe withConstraints(Constraints constraints) {
        return new Recipe(epochs, batchSize, seed, optimizer, schedule, normalize, augment, constraints, average, loss);
    }

    public Recipe withAverage(Averaging average) {
        return new Recipe(epochs, batchSize, seed, optimizer, schedule, normalize, augment, constraints, average, loss);
    }

    public Recipe withLoss(LossSettings loss) {
        return new Recipe(epochs, batchSize, seed, optimizer, schedule, normalize, augment, constraints, average, loss);
    }

    /** Refuses settings training cannot use, naming {@code where} and the setting. */
    public void validate(String where) {
        if (epochs < 1) {
            throw new MnistlabException(where + ": epochs must be >= 1 (got " + epochs + ")");
        }
        if (epochs > MAX_EPOCHS) {
            throw new MnistlabException(where + ": epochs must be at most " + MAX_EPOCHS + " (got " + epochs + ")");
        }
        if (batchSize < 1) {
            throw new MnistlabException(where + ": batch_size must be >= 1 (got " + batchSize + ")");
        }
        if (!(optimizer.lr() > 0) || Double.isInfinite(optimizer.lr())) {
            throw new MnistlabException(where + ": optimizer.lr must be > 0 (got " + optimizer.lr() + ")");
        }
        if (!"sgd".equals(optimizer.name()) && !"adam".equals(optimizer.name())) {
            throw new MnistlabException(where + ": unknown optimizer '" + optimizer.name() + "'; use sgd or adam");
        }
        if (optimizer.momentum() < 0 || optimizer.momentum() >= 1) {
            throw new MnistlabException(where + ": optimizer.momentum must be in [0, 1) (got " + optimizer.momentum() + ")");
        }
        if (optimizer.weightDecay() < 0) {
            throw new MnistlabException(where + ": optimizer.weight_decay must be >= 0 (got " + optimizer.weightDecay() + ")");
        }
        if (!(normalize.std() > 0)) {
            throw new MnistlabException(where + ": normalize.std must be > 0 (got " + normalize.std() + ")");
        }
        // the schedule checks its own settings, here all that do not depend on the steps per epoch
        // (training checks the rest once it knows them)
        Schedules.validate(schedule, optimizer.lr(), epochs);
        if (constraints.lastEpochs() < 1) {
            throw new MnistlabException(where + ": constraints.last_epochs must be >= 1 (got " + constraints.lastEpochs() + ")");
        }
        if (constraints.maxParams() < 1) {
            throw new MnistlabException(where + ": constraints.max_params must be >= 1 (got " + constraints.maxParams() + ")");
        }
        if (constraints.maxEpochs() < 1) {
            throw new MnistlabException(where + ": constraints.max_epochs must be >= 1 (got " + constraints.maxEpochs() + ")");
        }
        if (!(loss.labelSmoothing() >= 0 && loss.labelSmoothing() < 1)) {
            throw new MnistlabException(where + ": loss.label_smoothing must be at least 0 and below 1 (got "
                    + loss.labelSmoothing() + ")");
        }
        average.validate(where, epochs);
        // with a hard budget the rules bind before training; otherwise the end-of-run check reports a FAIL
        if (constraints.hardBudget() && epochs > constraints.maxEpochs()) {
            throw new MnistlabException(where + ": epochs " + epochs + " is more than constraints.max_epochs "
                    + constraints.maxEpochs() + " and hard_budget is true; train fewer epochs, or set hard_budget: false "
                    + "to train on and have the constraint check report FAIL");
        }
    }
}
