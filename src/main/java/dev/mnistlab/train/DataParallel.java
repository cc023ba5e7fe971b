package dev.mnistlab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.Pair;
import dev.mnistlab.MnistlabException;
import dev.mnistlab.data.Batch;
import dev.mnistlab.model.ModelBuilder;
import dev.mnistlab.model.ModelSpec;
import dev.mnistlab.model.SeededDropout;
import dev.mnistlab.model.StagingBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;

/**
 * Data parallelism inside one process: every batch is cut into shards, one per model copy, and each
 * copy runs forward and backward on its own thread. libtorch's intra-op threads barely speed up
 * convolutions this small (two threads gave seed003 1.4x), while independent shards on independent
 * cores come close to 2x. The copies' gradients are summed into the trainer's model in a fixed order
 * and the updated weights copied back, so a run stays bitwise reproducible for a given thread count.
 * Each copy normalises BatchNorm over its own shard; the running statistics are averaged at the end of
 * every epoch. With one copy this is exactly the plain training step.
 */
final class DataParallel implements WeightAverage.Copies, AutoCloseable {

    /** Smaller shards would make BatchNorm's batch statistics noisy. */
    static final int MIN_SHARD = 32;

    /** How many model copies and how many libtorch threads each: cores go to copies first. */
    record Layout(int copies, int threadsPerCopy) {
        static Layout of(int threads, int batchSize) {
            int copies = Math.max(1, Math.min(threads, batchSize / MIN_SHARD));
            return new Layout(copies, Math.max(1, threads / copies));
        }
    }

    /** One shard's contribution: its mean loss and how many of its images the model got right. */
    record Shard(int size, float loss, long correct) {}

    /** A copy of the model with its own arrays; only one thread uses it at a time. */
    private record Copy(Block block, NDManager manager, ParameterStore store, List<Parameter> parameters,
                        StagingBuffer input) {}

    private final Trainer trainer;
    private final List<Parameter> mainParameters;
    private final List<Copy> copies = new ArrayList<>();
    private final ExecutorService workers;
    private final Shape inputShape;
    private final StagingBuffer mainInput = new StagingBuffer();

    DataParallel(Trainer trainer, Block main, ModelSpec spec, Shape inputShape, Layout layout) {
        this.trainer = trainer;
        this.mainParameters = parameters(main);
        this.inputShape = inputShape;
        JniUtils.setNumThreads(layout.threadsPerCopy());
        for (int i = 1; i < layout.copies(); i++) {
            Block block = ModelBuilder.build(spec);
            NDManager manager = trainer.getManager().newSubManager();
            block.setInitializer(Initializer.ZEROS, p -> true); // overwritten by syncAll
            block.initialize(manager, DataType.FLOAT32, inputShape);
            copies.add(new Copy(block, manager, new ParameterStore(manager, false), parameters(block), new StagingBuffer()));
        }
        workers = copies.isEmpty() ? null : Executors.newFixedThreadPool(copies.size(), r -> {
            Thread t = new Thread(r, "mnistlab-shard");
            t.setDaemon(true);
            return t;
        });
    }

    int copies() {
        return copies.size() + 1;
    }

    /** Copies every array (weights and BatchNorm statistics) of the main model into the copies. */
    @Override
    public void syncAll() {
        copyFromMain(p -> true);
    }

    /** Restarts every copy's dropout stream, each from its own seed, the main model's as before. */
    void reseedDropout(Block main, long seed) {
        SeededDropout.reseedAll(main, seed);
        for (int c = 0; c < copies.size(); c++) {
            SeededDropout.reseedAll(copies.get(c).block(), seed ^ ((c + 1) * 0x9E3779B97F4A7C15L));
        }
    }

    /**
     * Forward and backward for every shard of {@code batch}, leaving the batch's mean-loss gradient in
     * the main model, ready for {@code trainer.step()}; each shard's loss is weighted by its share.
     */
    List<Shard> forwardBackward(Batch batch) {
        int n = batch.size();
        int[] bounds = bounds(n);
        List<Future<Shard>> pending = new ArrayList<>();
        for (int c = 0; c < copies.size(); c++) {
            Copy copy = copies.get(c);
            int from = bounds[c + 1];
            int to = bounds[c + 2];
            if (from == to) {
                continue; // a small last batch: this copy's gradient stays zero
            }
            pending.add(workers.submit(() -> copyShard(copy, batch, from, to)));
        }
        List<Shard> shards = new ArrayList<>();
        shards.add(mainShard(batch, 0, bounds[1]));
        for (Future<Shard> f : pending) {
            shards.add(await(f));
        }
        for (Copy copy : copies) {
            for (int i = 0; i < mainParameters.size(); i++) {
                Parameter p = mainParameters.get(i);
                if (p.requiresGradient()) {
                    try (NDArray total = p.getArray().getGradient();
                         NDArray part = copy.parameters().get(i).getArray().getGradient()) {
                        total.addi(part);
                        part.muli(0);
                    }
                }
            }
        }
        return shards;
    }

    /** After the optimizer step: the copies take the main model's new weights. */
    void syncWeights() {
        copyFromMain(Parameter::requiresGradient);
    }

    private void copyFromMain(Predicate<Parameter> which) {
        for (Copy copy : copies) {
            for (int i = 0; i < mainParameters.size(); i++) {
                if (which.test(mainParameters.get(i))) {
                    // in place, so the copy's array stays the gradient leaf its block was built with
                    copy.parameters().get(i).getArray().muli(0).addi(mainParameters.get(i).getArray());
                }
            }
        }
    }

    /** Averages the BatchNorm running statistics over all copies, for evaluation and the checkpoint. */
    void averageRunningStatistics() {
        if (copies.isEmpty()) {
            return;
        }
        for (int i = 0; i < mainParameters.size(); i++) {
            if (!mainParameters.get(i).requiresGradient()) {
                NDArray main = mainParameters.get(i).getArray();
                for (Copy copy : copies) {
                    main.addi(copy.parameters().get(i).getArray());
                }
                main.divi(copies());
            }
        }
        // the weights are already the main model's since the last step
        copyFromMain(p -> !p.requiresGradient());
    }

    /**
     * The main model's array at {@code index} of its parameters averaged over all copies (summed in copy order,
     * then divided, as {@link #averageRunningStatistics} does), a new array of {@code manager}: what the running
     * statistics of BatchNorm would be if the epoch ended now.
     */
    @Override
    public NDArray meanOverCopies(int index, NDManager manager) {
        NDArray mean = mainParameters.get(index).getArray().duplicate();
        mean.attach(manager);
        if (!copies.isEmpty()) {
            for (Copy copy : copies) {
                mean.addi(copy.parameters().get(index).getArray());
            }
            mean.divi(copies());
        }
        return mean;
    }

    /**
     * Runs {@code evaluateBatch} for batches 0..count-1, spread over the copies in evaluation mode:
     * batch b goes to copy b mod copies. The function gets the block and its parameter store.
     */
    <T> List<T> evaluate(int count, EvalTask<T> evaluateBatch) {
        List<Future<List<T>>> pending = new ArrayList<>();
        for (int c = 0; c < copies.size(); c++) {
            Copy copy = copies.get(c);
            int first = c + 1;
            pending.add(workers.submit(() -> {
                JniUtils.setGradMode(false);
                List<T> out = new ArrayList<>();
                for (int b = first; b < count; b += copies()) {
                    out.add(evaluateBatch.run(b, copy.block(), copy.store(), copy.manager()));
                }
                return out;
            }));
        }
        List<List<T>> perCopy = new ArrayList<>();
        List<T> mine = new ArrayList<>();
        for (int b = 0; b < count; b += copies()) {
            mine.add(evaluateBatch.run(b, null, null, trainer.getManager()));
        }
        perCopy.add(mine);
        for (Future<List<T>> f : pending) {
            perCopy.add(await(f));
        }
        List<T> inOrder = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            inOrder.add(perCopy.get(b % copies()).get(b / copies()));
        }
        return inOrder;
    }

    /** One evaluation batch on one model; {@code block} and {@code store} are null for the trainer's own. */
    interface EvalTask<T> {
        T run(int batch, Block block, ParameterStore store, NDManager manager);
    }

    private Shard mainShard(Batch batch, int from, int to) {
        try (NDManager m = trainer.getManager().newSubManager()) {
            batch.prepare(from, to);
            NDArray x = images(mainInput, m, batch, from, to);
            NDArray y = m.create(Arrays.copyOfRange(batch.labels(), from, to));
            NDArray logits;
            NDArray loss;
            try (GradientCollector collector = trainer.newGradientCollector()) {
                logits = trainer.forward(new NDList(x)).singletonOrThrow();
                loss = trainer.getLoss().evaluate(new NDList(y), new NDList(logits));
                collector.backward(weighted(loss, to - from, batch.size()));
            }
            return new Shard(to - from, loss.getFloat(), logits.argMax(1).eq(y).countNonzero().getLong());
        }
    }

    /** As {@link #mainShard}, on a worker thread: DJL allows one GradientCollector per process, so libtorch's autograd is driven directly. */
    private Shard copyShard(Copy copy, Batch batch, int from, int to) {
        JniUtils.setGradMode(true); // grad mode is per thread in libtorch
        try (NDManager m = copy.manager().newSubManager()) {
            batch.prepare(from, to);
            NDArray x = images(copy.input(), m, batch, from, to);
            NDArray y = m.create(Arrays.copyOfRange(batch.labels(), from, to));
            NDArray logits = copy.block().forward(copy.store(), new NDList(x), true).singletonOrThrow();
            NDArray loss = trainer.getLoss().evaluate(new NDList(y), new NDList(logits));
            NDArray head = weighted(loss, to - from, batch.size());
            JniUtils.backward((PtNDArray) head, (PtNDArray) m.ones(head.getShape()), false, false);
            return new Shard(to - from, loss.getFloat(), logits.argMax(1).eq(y).countNonzero().getLong());
        } finally {
            JniUtils.setGradMode(false);
        }
    }

    /**
     * A shard's mean loss, scaled so the shards' gradients add up to the whole batch's mean. The scale is
     * an array of the batch's manager, not {@code loss.mul(float)}: DJL frees that scalar right after the
     * multiply although backward still reads it, so a garbage collection in between corrupts the gradient.
     */
    static NDArray weighted(NDArray loss, int shard, int batch) {
        return shard == batch ? loss : loss.mul(loss.getManager().create((float) shard / batch));
    }

    private NDArray images(StagingBuffer staging, NDManager m, Batch batch, int from, int to) {
        int pixels = (int) (inputShape.get(1) * inputShape.get(2) * inputShape.get(3));
        return staging.wrap(m, batch.images(), from * pixels, (to - from) * pixels,
                new Shape(to - from, inputShape.get(1), inputShape.get(2), inputShape.get(3)));
    }

    /** The shard sizes a batch of {@code n} images is cut into (empty shards left out). */
    Set<Integer> shardSizes(int n) {
        int[] bounds = bounds(n);
        Set<Integer> sizes = new TreeSet<>();
        for (int c = 0; c + 1 < bounds.length; c++) {
            if (bounds[c + 1] > bounds[c]) {
                sizes.add(bounds[c + 1] - bounds[c]);
            }
        }
        return sizes;
    }

    /**
     * Shard c covers [bounds[c], bounds[c+1]); sizes differ by at most one image. A small last batch
     * goes to fewer copies, at least two images each, since BatchNorm cannot train on one.
     */
    private int[] bounds(int n) {
        int parts = Math.max(1, Math.min(copies(), n / 2));
        int[] bounds = new int[copies() + 1];
        for (int c = 0; c <= copies(); c++) {
            bounds[c] = (int) ((long) n * Math.min(c, parts) / parts);
        }
        return bounds;
    }

    private static List<Parameter> parameters(Block block) {
        List<Parameter> list = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            list.add(p.getValue());
        }
        return list;
    }

    private static <T> T await(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MnistlabException("interrupted while a worker thread was training");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void close() {
        if (workers != null) {
            workers.shutdownNow();
        }
        copies.forEach(c -> c.manager().close());
    }
}
