package dev.mnistlab.train;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.util.Pair;
import dev.mnistlab.MnistlabException;
import dev.mnistlab.data.BatchStream;
import dev.mnistlab.data.MnistData;
import dev.mnistlab.data.Split;
import dev.mnistlab.model.ModelBuilder;
import dev.mnistlab.model.ModelSpec;
import dev.mnistlab.model.ShapeTrace;
import dev.mnistlab.model.ZeroedTorchMemory;
import dev.mnistlab.train.schedule.Schedule;
import dev.mnistlab.train.schedule.Schedules;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Trains one experiment on MNIST and records it in a run folder: experiment.yaml and run.yaml at the start,
 * metrics.csv and a checkpoint after every epoch, weights, lr.csv, predictions.csv and summary.txt at the
 * end. It prints nothing; a {@link TrainingListener} hears what happens.
 * <pre>
 * Training.Result result = new Training(experiment, data, RunFolder.create(dir, name, false))
 *         .reportingTo(new Progress(System.out, false)).run();
 * </pre>
 */
public final class Training {

    /**
     * What a finished (or paused) run reports.
     *
     * @param finalEvaluation the last epoch's pass over the evaluation split (test, or validation)
     * @param complete false when it paused after {@link #stoppingAfter(int)}'s epoch
     */
    public record Result(List<EpochResult> epochs, long params, List<ConstraintCheck.Line> checks,
                         Evaluation finalEvaluation, List<Timing> timings, boolean complete) {
        public boolean passed() {
            return ConstraintCheck.allPass(checks);
        }
    }

    /** Where an epoch's time went, for benchmarks: the training pass and the evaluation. */
    public record Timing(int epoch, int trainImages, double trainSeconds, int evalImages, double evalSeconds) {}

    private final Experiment experiment;
    private final MnistData data;
    private final RunFolder folder;
    private final RunOutputs outputs;
    private TrainingListener listener = TrainingListener.NONE;
    private boolean resume;
    private int stopAfter = Integer.MAX_VALUE;
    private int threads = engineThreads();
    private int lastCheckpoint;

    /** A run of {@code experiment} on {@code data} (its test split is the one evaluated on) into {@code folder}. */
    public Training(Experiment experiment, MnistData data, RunFolder folder) {
        this.experiment = experiment;
        this.data = data;
        this.folder = folder;
        this.outputs = new RunOutputs(folder);
    }

    /** Tells {@code listener} about epochs, batches and notes (default: nobody). */
    public Training reportingTo(TrainingListener listener) {
        this.listener = listener;
        return this;
    }

    /** Continue the run in {@code folder} after its last checkpoint instead of starting afresh. */
    public Training resuming() {
        this.resume = true;
        return this;
    }

    /**
     * Pause after {@code epoch} (the schedule still spans the recipe's epochs): the checkpoint stays and
     * {@link #resuming()} continues later. Search uses this to give candidates a few epochs at a time.
     */
    public Training stoppingAfter(int epoch) {
        this.stopAfter = epoch;
        return this;
    }

    /**
     * Compute threads for this run (default: what the command gave the engine). Each batch is split
     * over up to this many model copies; see {@link DataParallel}.
     */
    public Training onThreads(int threads) {
        this.threads = threads;
        return this;
    }

    /** Trains (or continues) the run; a user error (budget, data, schedule, divergence) is a {@link MnistlabException}. */
    public Result run() {
        Recipe recipe = experiment.recipe();
        ModelSpec spec = experiment.spec();
        ShapeTrace trace = spec.trace();
        long params = trace.trainableParameters();
        recipe.constraints().requireWithinHardBudget(spec.name(), params);
        requireMatchingData(spec, data.train());
        requireMatchingData(spec, data.test());
        int stepsPerEpoch = BatchStream.batches(data.train().count(), recipe.batchSize(), true);
        if (data.train().count() % recipe.batchSize() == 1) {
            listener.note("Note: each epoch leaves out its last batch, a single image (BatchNorm cannot train on one)");
        }
        // a recipe alone cannot know the steps per epoch; the schedule is checked against the real ones here
        Schedule schedule = Schedules.create(recipe.schedule(), recipe.optimizer().lr(), stepsPerEpoch, recipe.epochs());

        RunInfo info = resume ? RunInfo.read(folder) : newRunInfo(params);
        if (!resume) {
            folder.writeText(RunFolder.EXPERIMENT, experiment.toYaml());
        }
        info = info.withStatus(RunInfo.RUNNING);
        info.write(folder);
        listener.runStarted(folder.dir());
        try {
            Result result = train(recipe, spec, trace, params, schedule, stepsPerEpoch);
            info = info.withStatus(result.complete() ? RunInfo.FINISHED : RunInfo.PAUSED);
            if (result.complete()) {
                info = info.withFinished(java.time.OffsetDateTime.now().withNano(0).toString());
            }
            info.write(folder);
            return result;
        } catch (RuntimeException | Error e) {
            // the run is not running any more: say so, so that nobody takes the folder for a live run
            info.withStatus(RunInfo.STOPPED).write(folder);
            throw e;
        }
    }

    private Result train(Recipe recipe, ModelSpec spec, ShapeTrace trace, long params, Schedule schedule, int stepsPerEpoch) {
        Engine.getInstance().setRandomSeed((int) recipe.seed());
        try (Model model = Model.newInstance(spec.name(), Device.cpu(), "PyTorch")) {
            Block net = ModelBuilder.build(spec);
            model.setBlock(net);
            TorchOptimizer optimizer = TorchOptimizer.of(recipe.optimizer(), model.getNDManager());
            try (Trainer trainer = model.newTrainer(config(optimizer, recipe.loss()))) {
                Shape inputShape = new Shape(1, spec.input().channels(), spec.input().height(), spec.input().width());
                trainer.initialize(inputShape);
                requireSameCount(net, params);
                DataParallel.Layout layout = DataParallel.Layout.of(threads, recipe.batchSize());
                Result result;
                try (DataParallel parallel = new DataParallel(trainer, net, spec, inputShape, layout)) {
                    WeightAverage average = new WeightAverage(recipe.average(), net, parallel, model.getNDManager());
                    Position start = resume ? restore(net, model.getNDManager(), optimizer, average)
                            : new Position(0, 0, List.of());
                    parallel.syncAll();
                    EpochTrainer epochs = new EpochTrainer(trainer, net, parallel, optimizer, average, schedule, recipe,
                            data, spec.input(), listener);
                    proveZeroFillUnneeded(spec, inputShape, parallel, recipe.batchSize(), model.getNDManager());
                    try (ZeroedTorchMemory.Computing computing = ZeroedTorchMemory.computing()) {
                        result = loop(epochs, start, params);
                        if (result.complete()) {
                            // the weights saved are the ones evaluated: the average when the recipe averages
                            try (WeightAverage.Swap evaluated = average.swappedIn()) {
                                finish(result, net, schedule, stepsPerEpoch, trace);
                            }
                        }
                    }
                }
                return result;
            }
        }
    }

    /**
     * Zeroing new memory costs a step 10-15% (docs/benchmarks.md); it goes off for this run if {@link ZeroFillProof} shows that the
     * network's passes, at the batch sizes of this run, never read memory libtorch has not written.
     */
    private void proveZeroFillUnneeded(ModelSpec spec, Shape inputShape, DataParallel parallel, int batchSize,
                                       NDManager manager) {
        Set<Integer> batches = BatchStream.batchSizes(data.train().count(), batchSize, true);
        Set<Integer> shards = new TreeSet<>();
        batches.forEach(b -> shards.addAll(parallel.shardSizes(b)));
        Set<Integer> evaluation = BatchStream.batchSizes(data.test().count(), Evaluator.BATCH, false);
        ZeroFillProof.run(spec, inputShape, shards, batches, evaluation, manager);
    }

    /** Where the loop starts: after {@code epoch} finished epochs and {@code step} optimizer steps. */
    private record Position(int epoch, long step, List<EpochResult> epochs) {}

    /** Epoch after epoch: train one, evaluate, record, checkpoint. */
    private Result loop(EpochTrainer trainer, Position start, long params) {
        Recipe recipe = experiment.recipe();
        List<EpochResult> epochs = new ArrayList<>(start.epochs());
        List<Timing> timings = new ArrayList<>();
        Evaluation evaluation = null;
        long step = start.step();
        int last = Math.min(recipe.epochs(), stopAfter);
        for (int epoch = start.epoch() + 1; epoch <= last; epoch++) {
            long started = System.nanoTime();
            trainer.reseed(epoch);
            EpochTrainer.Pass pass = trainer.trainOneEpoch(epoch, step, checkpointNote());
            step = pass.endStep();
            long trained = System.nanoTime();
            evaluation = trainer.evaluate();
            timings.add(new Timing(epoch, pass.images(), seconds(started, trained), evaluation.total(),
                    seconds(trained, System.nanoTime())));
            record(epochs, new EpochResult(epoch, pass.lr(), pass.loss(), pass.accuracy(), evaluation.loss(),
                    evaluation.accuracy(), seconds(started, System.nanoTime())), evaluation);
            trainer.checkpoint(folder, epoch, step);
            lastCheckpoint = epoch;
            listener.checkpointed(epoch);
        }
        if (last < recipe.epochs()) {
            return new Result(epochs, params, List.of(), evaluation, timings, false);
        }
        if (evaluation == null) {
            // resumed a run whose epochs were all done: evaluate once so the outputs are complete
            evaluation = trainer.evaluate();
        }
        List<ConstraintCheck.Line> checks = ConstraintCheck.check(params, epochs, recipe.constraints(), evaluation.split());
        return new Result(epochs, params, checks, evaluation, timings, true);
    }

    /** The epoch joins metrics.csv, and the listener hears of it. */
    private void record(List<EpochResult> epochs, EpochResult result, Evaluation evaluation) {
        epochs.add(result);
        outputs.metrics(epochs, evaluation.split());
        listener.epochDone(result, evaluation);
    }

    /** The run's last files: weights, the lr trace, the final predictions and the summary. */
    private void finish(Result result, Block net, Schedule schedule, int stepsPerEpoch, ShapeTrace trace) {
        outputs.weights(net);
        outputs.lr(schedule, stepsPerEpoch, experiment.recipe());
        outputs.predictions(result.finalEvaluation());
        outputs.summary(experiment, trace, result);
    }

    private Position restore(Block net, NDManager manager, TorchOptimizer optimizer, WeightAverage average) {
        Checkpoint.State state = Checkpoint.load(folder);
        if (!Checkpoint.restore(state, net, manager, optimizer, average)) {
            listener.note("Note: the checkpoint holds no optimizer state for " + experiment.recipe().optimizer().name()
                    + " (an older mnistlab wrote it), so it restarts from zero.");
        }
        List<EpochResult> recorded = EpochResult.readAll(folder.dir());
        List<EpochResult> epochs = new ArrayList<>(recorded.subList(0, Math.min(recorded.size(), state.epoch())));
        if (epochs.size() != state.epoch()) {
            throw new MnistlabException(folder.file(RunFolder.METRICS) + " has " + epochs.size()
                    + " epochs but the checkpoint is after epoch " + state.epoch() + "; the folder was modified by hand");
        }
        lastCheckpoint = state.epoch();
        listener.checkpointed(state.epoch());
        listener.note(String.format(Locale.ROOT, "Resuming %s after epoch %d of %d", folder.dir(), state.epoch(),
                experiment.recipe().epochs()));
        return new Position(state.epoch(), state.step(), epochs);
    }

    private RunInfo newRunInfo(long params) {
        return RunInfo.start(data.directory().toAbsolutePath().toString(), data.trainLimit(),
                data.validating() ? data.test().count() : null, threads, experiment.recipe().seed(), params,
                "PyTorch " + Engine.getEngine("PyTorch").getVersion(), java.time.OffsetDateTime.now().withNano(0).toString());
    }

    /**
     * Softmax cross-entropy (label-smoothed when the recipe says so), the optimizer, and PyTorch's default init for
     * conv/linear weights: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
     */
    private static DefaultTrainingConfig config(TorchOptimizer optimizer, Recipe.LossSettings loss) {
        Loss objective = loss.labelSmoothing() > 0 ? new SmoothedCrossEntropy(loss.labelSmoothing())
                : Loss.softmaxCrossEntropyLoss();
        return new DefaultTrainingConfig(objective)
                .optOptimizer(optimizer)
                .optInitializer(new XavierInitializer(XavierInitializer.RandomType.UNIFORM,
                        XavierInitializer.FactorType.IN, 1), Parameter.Type.WEIGHT)
                .optDevices(new Device[] {Device.cpu()});
    }

    private String checkpointNote() {
        return lastCheckpoint == 0 ? "no epoch had finished, so there is no checkpoint"
                : "the checkpoint after epoch " + lastCheckpoint + " stays in " + folder.dir();
    }

    private static void requireMatchingData(ModelSpec spec, Split split) {
        if (split.rows() != spec.input().height() || split.cols() != spec.input().width() || spec.input().channels() != 1) {
            throw new MnistlabException(String.format(Locale.ROOT,
                    "the %s images are %dx%d but spec '%s' expects input %s; use a data set of that size or change 'input:'",
                    split.name(), split.rows(), split.cols(), spec.name(), spec.input()));
        }
    }

    /** Our count and DJL's must agree: the summary promises the model that trains. */
    private static void requireSameCount(Block net, long expected) {
        long djl = 0;
        for (Pair<String, Parameter> p : net.getParameters()) {
            if (p.getValue().requiresGradient()) {
                djl += p.getValue().getArray().size();
            }
        }
        if (djl != expected) {
            throw new IllegalStateException("parameter count mismatch: spec says " + expected + ", DJL built " + djl);
        }
    }

    /** The compute threads the command asked for (see EngineThreads); DataParallel divides them among model copies. */
    private static int engineThreads() {
        return Integer.getInteger("ai.djl.pytorch.num_threads", Runtime.getRuntime().availableProcessors());
    }

    private static double seconds(long from, long to) {
        return (to - from) / 1e9;
    }
}
