package dev.mnistlab.infer;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.mnistlab.MnistlabException;
import dev.mnistlab.data.Normalization;
import dev.mnistlab.data.Split;
import dev.mnistlab.model.Shape3;
import dev.mnistlab.model.ZeroedTorchMemory;
import dev.mnistlab.train.Evaluation;
import dev.mnistlab.train.Evaluator;
import dev.mnistlab.train.EpochResult;
import dev.mnistlab.train.Experiment;
import dev.mnistlab.train.RunState;
import dev.mnistlab.train.RunFolder;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A finished run folder loaded for inference: its experiment.yaml rebuilt as a DJL block with weights.params
 * in it, run in eval mode (dropout off, BatchNorm's running statistics).
 */
public final class TrainedModel implements AutoCloseable {

    private static final String EXPERIMENT = RunFolder.EXPERIMENT;
    private static final String WEIGHTS = RunFolder.WEIGHTS;

    private final Path dir;
    private final Experiment experiment;
    private final NDManager manager;
    private final SequentialBlock block;

    private TrainedModel(Path dir, Experiment experiment, NDManager manager, SequentialBlock block) {
        this.dir = dir;
        this.experiment = experiment;
        this.manager = manager;
        this.block = block;
    }

    public static TrainedModel load(Path dir) {
        Path yaml = dir.resolve(EXPERIMENT);
        Path weights = dir.resolve(WEIGHTS);
        if (!Files.isDirectory(dir)) {
            throw new MnistlabException(dir + ": no such run folder; give the folder `mnistlab train --out DIR` wrote");
        }
        for (Path p : new Path[] {yaml, weights}) {
            if (!Files.isRegularFile(p)) {
                throw new MnistlabException(dir + " is not a finished run folder: " + p.getFileName()
                        + " is missing (weights are written when training ends); give a folder of a completed run");
            }
        }
        // weights.params of a run whose record says it is not finished (resumed and stopped again) are not the
        // run's final weights; folders from before run.yaml existed only had weights once finished
        if (Files.isRegularFile(dir.resolve(RunFolder.RUN_INFO)) && RunState.of(dir).status() != RunState.Status.FINISHED) {
            throw new MnistlabException(dir + " holds a run that is not finished (" + EpochResult.readAll(dir).size()
                    + " epochs so far); finish it with ./mnistlab train --resume " + dir + ", then use it");
        }
        Experiment experiment = Experiment.file(yaml);
        Shape3 in = experiment.spec().input();
        NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
        try {
            SequentialBlock block = dev.mnistlab.model.ModelBuilder.build(experiment.spec());
            block.initialize(manager, DataType.FLOAT32, new Shape(1, in.channels(), in.height(), in.width()));
            loadWeights(block, manager, weights, experiment.spec().name());
            return new TrainedModel(dir, experiment, manager, block);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * DJL's loader checks parameter names but not shapes, and ignores trailing bytes, so a file from another
     * spec could load silently; every shape and the end of the file are checked here.
     */
    private static void loadWeights(SequentialBlock block, NDManager manager, Path file, String spec) {
        Map<String, Shape> expected = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            expected.put(p.getKey(), p.getValue().getArray().getShape());
        }
        String doesNotFit = file + " does not fit the spec '" + spec + "' in " + file.resolveSibling(EXPERIMENT);
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file));
             DataInputStream in = new DataInputStream(raw)) {
            block.loadParameters(manager, in);
            if (in.read() != -1) {
                throw new MnistlabException(doesNotFit + ": the file holds more layers than the spec; "
                        + "the weights belong to a larger model");
            }
        } catch (EOFException e) {
            throw new MnistlabException(doesNotFit + ": the file ends early (fewer layers than the spec, or truncated)", e);
        } catch (MalformedModelException | IllegalArgumentException | IllegalStateException | IOException e) {
            throw new MnistlabException(doesNotFit + " (" + e.getMessage() + "); the weights belong to another model"
                    + " or the file is damaged", e);
        }
        for (Pair<String, Parameter> p : block.getParameters()) {
            Shape got = p.getValue().getArray().getShape();
            Shape want = expected.get(p.getKey());
            if (!got.equals(want)) {
                throw new MnistlabException(doesNotFit + ": parameter " + p.getKey() + " is " + got
                        + " in the file but the spec needs " + want + "; the weights belong to another model");
            }
        }
    }

    public Path dir() {
        return dir;
    }

    public Experiment experiment() {
        return experiment;
    }

    /**
     * The network with its trained parameters, for reading them (export). Run it through {@link #logits} or
     * {@link #evaluate}, which keep libtorch's new memory zeroed (see {@link ZeroedTorchMemory}).
     */
    public SequentialBlock block() {
        return block;
    }

    public int pixelsPerImage() {
        return experiment.spec().input().size();
    }

    /**
     * Logits, row-major (count x 10), for {@code count} images of pixels in [0, 1] starting at image
     * {@code first}, normalised as training normalises them ({@link Normalization#apply}).
     */
    public float[] logits(float[] unitPixels, int first, int count) {
        int size = pixelsPerImage();
        float[] x = experiment.recipe().normalize().apply(unitPixels, first * size, count * size);
        Shape3 in = experiment.spec().input();
        try (NDManager batch = manager.newSubManager()) {
            NDArray input = batch.create(FloatBuffer.wrap(x), new Shape(count, in.channels(), in.height(), in.width()));
            return forward(input).toFloatArray();
        }
    }

    /**
     * The model's pass over a labelled split, computed as training computes its per-epoch evaluation, so the
     * numbers equal the run's last line of metrics.csv.
     */
    public Evaluation evaluate(Split split) {
        return Evaluator.evaluate(split, experiment.recipe().normalize(), experiment.spec().input(), manager, this::forward);
    }

    /** Eval mode: dropout off, BatchNorm's running statistics. */
    private NDArray forward(NDArray images) {
        try (ZeroedTorchMemory.Computing computing = ZeroedTorchMemory.computing()) {
            ZeroedTorchMemory.turnOn(); // a training in this JVM may have turned zeroing off for its own network
            return block.forward(new ParameterStore(images.getManager(), false), new NDList(images), false).singletonOrThrow();
        }
    }

    /** The digit in an image file (PNG, JPEG, GIF, BMP), brought into MNIST's form first (see {@link MnistForm}). */
    public Prediction predict(Path image) {
        return predict(MnistForm.read(image));
    }

    /** Softmax probabilities for one image of pixels in [0, 1]. */
    public Prediction predict(float[] unitPixels) {
        return Prediction.fromLogits(logits(unitPixels, 0, 1), 0);
    }

    @Override
    public void close() {
        manager.close();
    }
}
