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
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.util.Pair;
import dev.mnistlab.model.ModelBuilder;
import dev.mnistlab.model.ModelSpec;
import dev.mnistlab.model.ZeroedTorchMemory;
import java.util.Set;

/**
 * Whether a run may train without libtorch zeroing new memory ({@link ZeroedTorchMemory#offIfNeverRead}): a
 * throwaway copy of the network, its weights constant (no random numbers drawn), runs every kind of pass the
 * run will make at every batch size it will make it at, while new memory holds NaN. Forward and backward in
 * training mode (the shards), forward in training mode without gradients (BatchNorm re-estimation after
 * SWA), forward in evaluation mode (the evaluation batches). oneDNN picks its kernels, and so whether it
 * pads weights, by these shapes, so finite results here mean the run's own passes read no unwritten memory.
 */
final class ZeroFillProof {

    private static final Loss LOSS = Loss.softmaxCrossEntropyLoss();

    private ZeroFillProof() {}

    /**
     * Turns zeroing off if the proof holds; returns whether it is off. A proof that cannot run (an engine error
     * on some shape) leaves zeroing on: the run then trains as before, only slower.
     */
    static boolean run(ModelSpec spec, Shape inputShape, Set<Integer> shardSizes, Set<Integer> batchSizes,
                       Set<Integer> evalSizes, NDManager parent) {
        try {
            return prove(spec, inputShape, shardSizes, batchSizes, evalSizes, parent);
        } catch (RuntimeException e) {
            ZeroedTorchMemory.turnOn();
            return false;
        }
    }

    private static boolean prove(ModelSpec spec, Shape inputShape, Set<Integer> shardSizes, Set<Integer> batchSizes,
                                 Set<Integer> evalSizes, NDManager parent) {
        try (NDManager manager = parent.newSubManager()) {
            Block block = ModelBuilder.build(spec); // built (which turns zeroing on) before the proof starts
            block.setInitializer(new ConstantInitializer(0.05f), p -> true);
            block.initialize(manager, DataType.FLOAT32, inputShape);
            ParameterStore store = new ParameterStore(manager, false);
            return ZeroedTorchMemory.offIfNeverRead(() -> trainsFinite(block, store, manager, shardSizes, inputShape)
                    && forwardFinite(block, store, manager, batchSizes, inputShape, true)
                    && forwardFinite(block, store, manager, evalSizes, inputShape, false));
        }
    }

    private static boolean trainsFinite(Block block, ParameterStore store, NDManager manager, Set<Integer> sizes,
                                        Shape inputShape) {
        for (int size : sizes) {
            JniUtils.setGradMode(true);
            try (NDManager m = manager.newSubManager()) {
                NDArray logits = block.forward(store, new NDList(images(m, size, inputShape)), true).singletonOrThrow();
                NDArray loss = LOSS.evaluate(new NDList(m.zeros(new Shape(size), DataType.INT64)), new NDList(logits));
                JniUtils.backward((PtNDArray) loss, (PtNDArray) m.ones(loss.getShape()), false, false);
                if (!finite(loss)) {
                    return false;
                }
                for (Pair<String, Parameter> p : block.getParameters()) {
                    if (p.getValue().requiresGradient() && !finite(p.getValue().getArray().getGradient())) {
                        return false;
                    }
                }
            } finally {
                JniUtils.setGradMode(false);
            }
        }
        return true;
    }

    private static boolean forwardFinite(Block block, ParameterStore store, NDManager manager, Set<Integer> sizes,
                                         Shape inputShape, boolean training) {
        for (int size : sizes) {
            try (NDManager m = manager.newSubManager()) {
                if (!finite(block.forward(store, new NDList(images(m, size, inputShape)), training).singletonOrThrow())) {
                    return false;
                }
            }
        }
        return true;
    }

    /** A fixed ramp of pixel values, written in full (new memory holds NaN during the proof). */
    private static NDArray images(NDManager m, int size, Shape inputShape) {
        Shape shape = new Shape(size, inputShape.get(1), inputShape.get(2), inputShape.get(3));
        float[] pixels = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (i % 7) / 7f;
        }
        return m.create(pixels, shape);
    }

    private static boolean finite(NDArray array) {
        float sum = array.abs().sum().getFloat();
        return Float.isFinite(sum);
    }
}
