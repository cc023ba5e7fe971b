package dev.mnistlab.train;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import dev.mnistlab.MnistlabException;
import dev.mnistlab.data.Batch;
import dev.mnistlab.data.BatchStream;
import dev.mnistlab.data.MnistData;
import dev.mnistlab.data.Split;
import dev.mnistlab.model.ModelBuilder;
import dev.mnistlab.model.ModelSpec;
import dev.mnistlab.model.ModelSummary;
import dev.mnistlab.model.ReceptiveField;
import dev.mnistlab.model.ShapeTrace;
import dev.mnistlab.train.schedule.Schedule;
import dev.mnistlab.train.schedule.Schedules;
import java.io.DataOutputStream;
import java.io.PrintStream;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Trains one experiment on MNIST and records it in a run folder. */
public final class Training {

    private static final int EVAL_BATCH = 1000;
    private static final int FULL_TRAIN = 60_000;

    /** What a finished run reports. */
    public record Result(List<EpochResult> epochs, long params, List<ConstraintCheck.Line> checks, Evaluation finalTest,
                         List<Timing> timings, boolean complete) {
        public boolean passed() {
            return ConstraintCheck.allPass(checks);
        }
    }

    private final Experiment experiment;
    private final MnistData data;
    private final RunFolder folder;
    private final Progress progress;
    private final PrintStream out;
    private boolean resume;
    private int stopAfter = Integer.MAX_VALUE;
    private int threads = engineThreads();
    private volatile int lastCheckpoint;
    private volatile boolean finished;

    public Training(Experiment experiment, MnistData data, RunFolder folder, Progress progress, PrintStream out) {
        this.experiment = experiment;
        this.data = data;
        this.folder = folder;
        this.progress = progress;
        this.out = out;
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

    /** The last epoch whose checkpoint is safely on disk (0 before the first). */
    public int lastCheckpoint() {
        return lastCheckpoint;
    }

    public boolean finished() {
        return finished;
    }

    public Result run() {
        Recipe recipe = experiment.recipe();
        ModelSpec spec = experiment.spec();
        ShapeTrace trace = spec.trace();
        long params = trace.trainableParameters();
        if (recipe.constraints().hardBudget() && params >= recipe.constraints().maxParams()) {
            throw new MnistlabException(String.format(Locale.ROOT,
                    "%s has %,d trainable parameters, over the hard budget of fewer than %,d; shrink the model or raise constraints.max_params",
                    spec.name(), params, recipe.constraints().maxParams()));
        }
        requireMatchingData(spec, data.train());
        requireMatchingData(spec, data.test());

        RunInfo info = resume ? RunInfo.read(folder) : newRunInfo(params);
        if (!resume) {
            folder.writeText(RunFolder.EXPERIMENT, experiment.toYaml());
        }
        info = info.withStatus(RunInfo.RUNNING);
        info.write(folder);
        Engine.getInstance().setRandomSeed((int) recipe.seed());
        try (Model model = Model.newInstance(spec.name(), Device.cpu(), "PyTorch")) {
            Block net = ModelBuilder.build(spec);
            model.setBlock(net);
            OptimizerHandle optimizer = optimizer(recipe, model.getNDManager());
            // PyTorch's default init for conv/linear weights: U(-1/sqrt(fan_in), 1/sqrt(fan_in))
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(optimizer.optimizer())
                    .optInitializer(new XavierInitializer(XavierInitializer.RandomType.UNIFORM,
                            XavierInitializer.FactorType.IN, 1), Parameter.Type.WEIGHT)
                    .optDevices(new Device[] {Device.cpu()});
            try (Trainer trainer = model.newTrainer(config)) {
                Shape inputShape = new Shape(1, spec.input().channels(), spec.input().height(), spec.input().width());
                trainer.initialize(inputShape);
                requireSameCount(net, params);
                Position start = new Position(0, 0, new ArrayList<>());
                if (resume) {
                    start = restore(net, model.getNDManager(), optimizer);
                }
                DataParallel.Layout layout = DataParallel.Layout.of(threads, recipe.batchSize());
                Result result;
                try (DataParallel parallel = new DataParallel(trainer, net, spec, inputShape, layout)) {
                    parallel.syncAll();
                    result = loop(trainer, parallel, optimizer, trace, inputShape, net, start);
                }
                info = info.withStatus(result.complete() ? RunInfo.FINISHED : RunInfo.PAUSED);
                if (result.complete()) {
                    info = info.withFinished(java.time.OffsetDateTime.now().withNano(0).toString());
                }
                info.write(folder);
                finished = true;
                return result;
            }
        }
    }

    /** Where an epoch's time went, for benchmarks: the training pass and the test-set evaluation. */
    public record Timing(int epoch, int trainImages, double trainSeconds, int evalImages, double evalSeconds) {}

    /** Where the loop starts: after {@code epoch} finished epochs and {@code step} optimizer steps. */
    private record Position(int epoch, long step, List<EpochResult> epochs) {}

    private Position restore(Block net, NDManager manager, OptimizerHandle optimizer) {
        Checkpoint.State state = Checkpoint.load(folder);
        TorchSgd sgd = optimizer.optimizer() instanceof TorchSgd s ? s : null;
        if (sgd == null) {
            out.println("Note: DJL keeps Adam's moment estimates private, so they restart from zero on resume.");
        }
        Checkpoint.restore(state, net, manager, sgd);
        List<EpochResult> recorded = EpochResult.readAll(folder.dir());
        List<EpochResult> epochs = new ArrayList<>(recorded.subList(0, Math.min(recorded.size(), state.epoch())));
        if (epochs.size() != state.epoch()) {
            throw new MnistlabException(folder.file(RunFolder.METRICS) + " has " + epochs.size()
                    + " epochs but the checkpoint is after epoch " + state.epoch() + "; the folder was modified by hand");
        }
        lastCheckpoint = state.epoch();
        out.printf(Locale.ROOT, "Resuming %s after epoch %d of %d%n", folder.dir(), state.epoch(), experiment.recipe().epochs());
        return new Position(state.epoch(), state.step(), epochs);
    }

    private RunInfo newRunInfo(long params) {
        int available = FULL_TRAIN - (data.validating() ? data.test().count() : 0);
        return RunInfo.start(data.directory().toAbsolutePath().toString(),
                data.train().count() == available ? null : data.train().count(),
                data.validating() ? data.test().count() : null, threads, experiment.recipe().seed(), params,
                "PyTorch " + Engine.getEngine("PyTorch").getVersion(), java.time.OffsetDateTime.now().withNano(0).toString());
    }

    private Result loop(Trainer trainer, DataParallel parallel, OptimizerHandle optimizer, ShapeTrace trace,
                        Shape inputShape, Block net, Position start) {
        Recipe recipe = experiment.recipe();
        float[] trainPixels = BatchStream.unitPixels(data.train());
        float[] testPixels = BatchStream.unitPixels(data.test());
        int stepsPerEpoch = (data.train().count() + recipe.batchSize() - 1) / recipe.batchSize();
        Schedule schedule = Schedules.create(recipe.schedule(), recipe.optimizer().lr(), stepsPerEpoch, recipe.epochs());
        List<EpochResult> epochs = new ArrayList<>(start.epochs());
        List<Timing> timings = new ArrayList<>();
        Evaluation test = null;
        long step = start.step();
        int last = Math.min(recipe.epochs(), stopAfter);
        for (int epoch = start.epoch() + 1; epoch <= last; epoch++) {
            long started = System.nanoTime();
            // every random stream restarts per epoch, so a resumed run matches an uninterrupted one
            Engine.getInstance().setRandomSeed((int) mix(recipe.seed(), epoch));
            parallel.reseedDropout(net, mix(recipe.seed(), epoch));
            BatchStream batches = new BatchStream(data.train(), trainPixels, recipe.batchSize(), recipe.normalize(),
                    recipe.augment(), mix(recipe.seed(), epoch), true);
            double epochLr = schedule.lr(step);
            double lossSum = 0;
            long correct = 0;
            long seen = 0;
            int batchIndex = 0;
            progress.start(String.format(Locale.ROOT, "Epoch %d/%d", epoch, recipe.epochs()), batches.batchCount());
            for (Batch batch : batches) {
                batchIndex++;
                double lr = schedule.lr(step);
                optimizer.set(lr, schedule.momentum(step, recipe.optimizer().momentum()));
                for (DataParallel.Shard shard : parallel.forwardBackward(batch)) {
                    if (!Float.isFinite(shard.loss())) {
                        throw new MnistlabException(String.format(Locale.ROOT,
                                "training diverged: the loss became %s at epoch %d, batch %d (lr %.4g); %s; lower the learning rate",
                                shard.loss(), epoch, batchIndex, lr, checkpointNote()));
                    }
                    lossSum += shard.loss() * shard.size();
                    correct += shard.correct();
                }
                trainer.step();
                parallel.syncWeights();
                seen += batch.size();
                step++;
                progress.step(lossSum / seen, 100.0 * correct / seen);
            }
            progress.finish(batchIndex, lossSum / seen, 100.0 * correct / seen);
            long trained = System.nanoTime();
            parallel.averageRunningStatistics();
            test = evaluate(trainer, parallel, data.test(), testPixels, inputShape);
            timings.add(new Timing(epoch, (int) seen, (trained - started) / 1e9, test.total(),
                    (System.nanoTime() - trained) / 1e9));
            out.println(test.line(data.validating() ? "Validation" : "Test"));
            epochs.add(new EpochResult(epoch, epochLr, lossSum / seen, 100.0 * correct / seen, test.loss(),
                    test.accuracy(), (System.nanoTime() - started) / 1e9));
            writeMetrics(epochs);
            Checkpoint.save(folder, epoch, step, net, optimizer.optimizer() instanceof TorchSgd s ? s : null);
            lastCheckpoint = epoch;
        }
        if (last < recipe.epochs()) {
            return new Result(epochs, trace.trainableParameters(), List.of(), test, timings, false);
        }
        if (test == null) {
            // resumed a run whose epochs were all done: evaluate once so the outputs are complete
            test = evaluate(trainer, parallel, data.test(), testPixels, inputShape);
        }
        saveWeights(net);
        folder.writeText(RunFolder.LR, lrCsv(schedule, stepsPerEpoch, recipe));
        folder.writeText(RunFolder.PREDICTIONS, test.predictionsCsv());
        List<ConstraintCheck.Line> checks = ConstraintCheck.check(trace.trainableParameters(), epochs, recipe.constraints());
        Result result = new Result(epochs, trace.trainableParameters(), checks, test, timings, true);
        folder.writeText(RunFolder.SUMMARY, summaryText(trace, result));
        return result;
    }

    private String checkpointNote() {
        return lastCheckpoint == 0 ? "no epoch had finished, so there is no checkpoint"
                : "the checkpoint after epoch " + lastCheckpoint + " stays in " + folder.dir();
    }

    /** The schedule's value for every batch: what the optimizer used, without logging it per step. */
    private static String lrCsv(Schedule schedule, int stepsPerEpoch, Recipe recipe) {
        StringBuilder sb = new StringBuilder("step,epoch,lr,momentum\n");
        long total = (long) stepsPerEpoch * recipe.epochs();
        for (long step = 0; step < total; step++) {
            sb.append(step).append(',').append(step / stepsPerEpoch + 1).append(',')
                    .append(String.format(Locale.ROOT, "%.8g,%.6g", schedule.lr(step),
                            schedule.momentum(step, recipe.optimizer().momentum()))).append('\n');
        }
        return sb.toString();
    }

    /** Evaluates in large batches without dropout and with BatchNorm's running statistics, spread over the model copies. */
    Evaluation evaluate(Trainer trainer, DataParallel parallel, Split split, float[] pixels, Shape inputShape) {
        List<Batch> batches = new ArrayList<>();
        new BatchStream(split, pixels, EVAL_BATCH, experiment.recipe().normalize(), null, 0, false).forEach(batches::add);
        List<BatchOutcome> outcomes = parallel.evaluate(batches.size(), (b, block, store, manager) -> {
            Batch batch = batches.get(b);
            try (NDManager batchManager = manager.newSubManager()) {
                NDArray x = batchManager.create(FloatBuffer.wrap(batch.images()), shapeOf(inputShape, batch.size()));
                NDArray y = batchManager.create(batch.labels());
                NDList input = new NDList(x);
                NDArray logits = (block == null ? trainer.evaluate(input) : block.forward(store, input, false)).singletonOrThrow();
                float loss = trainer.getLoss().evaluate(new NDList(y), new NDList(logits)).getFloat();
                long[] predicted = logits.argMax(1).toType(DataType.INT64, false).toLongArray();
                float[] top = logits.softmax(1).max(new int[] {1}).toFloatArray();
                return new BatchOutcome(loss, predicted, top);
            }
        });
        double lossSum = 0;
        int correct = 0;
        int[] predictions = new int[split.count()];
        float[] confidence = new float[split.count()];
        for (int b = 0; b < batches.size(); b++) {
            Batch batch = batches.get(b);
            BatchOutcome outcome = outcomes.get(b);
            lossSum += outcome.loss() * batch.size();
            for (int i = 0; i < batch.size(); i++) {
                predictions[batch.indices()[i]] = (int) outcome.predicted()[i];
                confidence[batch.indices()[i]] = outcome.confidence()[i];
                if (outcome.predicted()[i] == batch.labels()[i]) {
                    correct++;
                }
            }
        }
        return new Evaluation(lossSum / split.count(), correct, split.count(), split.labels(), predictions, confidence);
    }

    private record BatchOutcome(float loss, long[] predicted, float[] confidence) {}

    private void writeMetrics(List<EpochResult> epochs) {
        StringBuilder csv = new StringBuilder(EpochResult.CSV_HEADER).append('\n');
        epochs.forEach(e -> csv.append(e.csvLine()).append('\n'));
        folder.writeText(RunFolder.METRICS, csv.toString());
    }

    private void saveWeights(Block net) {
        folder.write(RunFolder.WEIGHTS, stream -> net.saveParameters(new DataOutputStream(stream)));
    }

    private String summaryText(ShapeTrace trace, Result result) {
        StringBuilder sb = new StringBuilder();
        sb.append(experiment.name()).append(experiment.description().isEmpty() ? "" : ": " + experiment.description())
                .append("\n\n").append(ModelSummary.layerTable(trace)).append('\n')
                .append(ModelSummary.receptiveFieldTable(ReceptiveField.of(trace))).append('\n');
        EpochResult best = result.epochs().stream().max((a, b) -> Double.compare(a.testAccuracy(), b.testAccuracy())).orElseThrow();
        double bestTrain = result.epochs().stream().mapToDouble(EpochResult::trainAccuracy).max().orElse(0);
        sb.append(String.format(Locale.ROOT, "Parameters: %,d%nBest train accuracy: %.2f%%%nBest test accuracy: %.2f%% (epoch %d)%n"
                + "Final test accuracy: %.2f%%%n%n", result.params(), bestTrain, best.testAccuracy(), best.epoch(),
                result.finalTest().accuracy()));
        sb.append("Constraints:\n");
        result.checks().forEach(line -> sb.append("  ").append(line).append('\n'));
        return sb.toString();
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

    private static Shape shapeOf(Shape inputShape, int batch) {
        return new Shape(batch, inputShape.get(1), inputShape.get(2), inputShape.get(3));
    }

    private static long mix(long seed, int epoch) {
        return seed * 0x9E3779B97F4A7C15L + epoch;
    }

    /** The optimizer and how the loop feeds it the schedule's values. */
    private record OptimizerHandle(Optimizer optimizer, double[] current) {
        void set(double lr, double momentum) {
            current[0] = lr;
            if (optimizer instanceof TorchSgd sgd) {
                sgd.setHyperparameters(lr, momentum);
            }
        }
    }

    private static OptimizerHandle optimizer(Recipe recipe, NDManager manager) {
        Recipe.OptimizerSettings s = recipe.optimizer();
        if (s.name().equals("adam")) {
            double[] current = {s.lr()};
            Tracker fromSchedule = numUpdate -> (float) current[0];
            Optimizer adam = Optimizer.adam()
                    .optLearningRateTracker(fromSchedule)
                    .optWeightDecays((float) s.weightDecay())
                    .build();
            return new OptimizerHandle(adam, current);
        }
        return new OptimizerHandle(new TorchSgd(manager, s.weightDecay(), s.nesterov()), new double[] {s.lr()});
    }
}
