package dev.mnistlab.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.Trainer;
import dev.mnistlab.MnistlabException;
import dev.mnistlab.data.Batch;
import dev.mnistlab.data.BatchStream;
import dev.mnistlab.data.MnistData;
import dev.mnistlab.model.Shape3;
import dev.mnistlab.train.schedule.Schedule;
import java.util.Locale;

/**
 * The model in training, one epoch at a time: its random streams restarted, a pass over the training set
 * with an optimizer step per batch, and an evaluation. {@link Training} owns the loop and the files.
 */
final class EpochTrainer {

    /** What a pass over the training set gave: the lr it started with, mean loss and accuracy, images, and the step reached. */
    record Pass(double lr, double loss, double accuracy, int images, long endStep) {}

    private final Trainer trainer;
    private final Block net;
    private final DataParallel parallel;
    private final TorchOptimizer optimizer;
    private final WeightAverage average;
    private final Schedule schedule;
    private final Recipe recipe;
    private final MnistData data;
    private final Shape3 input;
    private final TrainingListener listener;
    private final float[] trainPixels;
    private final float[] evalPixels;

    EpochTrainer(Trainer trainer, Block net, DataParallel parallel, TorchOptimizer optimizer, WeightAverage average,
                 Schedule schedule, Recipe recipe, MnistData data, Shape3 input, TrainingListener listener) {
        this.trainer = trainer;
        this.net = net;
        this.parallel = parallel;
        this.optimizer = optimizer;
        this.average = average;
        this.schedule = schedule;
        this.recipe = recipe;
        this.data = data;
        this.input = input;
        this.listener = listener;
        this.trainPixels = BatchStream.unitPixels(data.train());
        this.evalPixels = BatchStream.unitPixels(data.test());
    }

    /** Every random stream restarts per epoch from (seed, epoch), so a resumed run matches an uninterrupted one. */
    void reseed(int epoch) {
        long seed = epochSeed(recipe.seed(), epoch);
        Engine.getInstance().setRandomSeed((int) seed);
        parallel.reseedDropout(net, seed);
    }

    static long epochSeed(long seed, int epoch) {
        return seed * 0x9E3779B97F4A7C15L + epoch;
    }

    /**
     * One pass over the shuffled (and augmented) training set from optimizer step {@code step}: the schedule's
     * lr and momentum for every step, the batch split over the model copies, a stop at the first non-finite loss.
     * Ends with the copies' BatchNorm statistics averaged and the weight average updated, ready for evaluation and
     * the checkpoint.
     *
     * @param checkpointNote what a divergence leaves behind, for its message
     */
    Pass trainOneEpoch(int epoch, long step, String checkpointNote) {
        BatchStream stream = trainingBatches(epoch);
        double epochLr = schedule.lr(step);
        RunningMeans running = new RunningMeans();
        int batchIndex = 0;
        listener.epochStarted(epoch, recipe.epochs(), stream.batchCount());
        try (BatchStream.Batches batches = stream.iterator()) {
            while (batches.hasNext()) {
                Batch batch = batches.next();
                batchIndex++;
                double lr = schedule.lr(step);
                optimizer.setHyperparameters(lr, schedule.momentum(step, recipe.optimizer().momentum()));
                for (DataParallel.Shard shard : parallel.forwardBackward(batch)) {
                    requireFinite(shard.loss(), epoch, batchIndex, lr, checkpointNote);
                    running.add(shard);
                }
                trainer.step();
                parallel.syncWeights();
                average.afterStep();
                running.batchDone(batch.size());
                step++;
                listener.batchDone(batchIndex, running.loss(), running.accuracy());
            }
        }
        parallel.averageRunningStatistics();
        if (average.averagesEpoch(epoch)) {
            average.addEpoch(epoch);
            // swa_utils.update_bn: the averaged weights' BatchNorm statistics, from this epoch's training batches again
            try (WeightAverage.Swap averaged = average.swappedIn()) {
                BatchNormUpdate.run(net, trainingBatches(epoch), trainer.getManager(), input);
                average.keepStatistics();
            }
        }
        return new Pass(epochLr, running.loss(), running.accuracy(), (int) running.seen, step);
    }

    /** The epoch's shuffled (and augmented) training batches, the same for the same seed and epoch. */
    private BatchStream trainingBatches(int epoch) {
        return new BatchStream(data.train(), trainPixels, recipe.batchSize(), recipe.normalize(), recipe.augment(),
                epochSeed(recipe.seed(), epoch), true);
    }

    /**
     * The evaluation split (test, or validation), without dropout and with BatchNorm's running statistics, spread
     * over the model copies; the averaged model's once the recipe's average exists.
     */
    Evaluation evaluate() {
        try (WeightAverage.Swap evaluated = average.swappedIn()) {
            return Evaluator.evaluate(data.test(), evalPixels, recipe.normalize(), input, (count, task) ->
                    parallel.evaluate(count, (b, block, store, manager) -> task.run(b, manager, images ->
                            (block == null ? trainer.evaluate(new NDList(images))
                                    : block.forward(store, new NDList(images), false)).singletonOrThrow())));
        }
    }

    /**
     * Saves what resuming after {@code epoch} needs: the weights, BatchNorm statistics, optimizer state, the averaged
     * model and {@code step}.
     */
    void checkpoint(RunFolder folder, int epoch, long step) {
        Checkpoint.save(folder, epoch, step, net, optimizer, average);
    }

    private static void requireFinite(float loss, int epoch, int batch, double lr, String checkpointNote) {
        if (!Float.isFinite(loss)) {
            throw new MnistlabException(String.format(Locale.ROOT,
                    "training diverged: the loss became %s at epoch %d, batch %d (lr %.4g); %s; lower the learning rate",
                    loss, epoch, batch, lr, checkpointNote));
        }
    }

    /** Loss and accuracy over an epoch's images so far. */
    private static final class RunningMeans {
        private double lossSum;
        private long correct;
        private long seen;

        void add(DataParallel.Shard shard) {
            lossSum += shard.loss() * shard.size(); // a float product, as recorded runs summed it
            correct += shard.correct();
        }

        void batchDone(int size) {
            seen += size;
        }

        double loss() {
            return lossSum / seen;
        }

        double accuracy() {
            return 100.0 * correct / seen;
        }
    }
}
