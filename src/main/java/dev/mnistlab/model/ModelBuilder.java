package dev.mnistlab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;

/** Turns a checked spec into a DJL block. */
public final class ModelBuilder {

    /** BatchNorm's epsilon, PyTorch's default. */
    public static final float BATCHNORM_EPSILON = 1e-5f;

    private ModelBuilder() {}

    /** The network of {@code spec}; from here on libtorch's new buffers are zeroed ({@link ZeroedTorchMemory}). */
    public static SequentialBlock build(ModelSpec spec) {
        ZeroedTorchMemory.turnOn();
        ShapeTrace trace = spec.trace();
        SequentialBlock net = new SequentialBlock();
        for (ShapeTrace.Step step : trace.steps()) {
            net.add(block(step));
        }
        // a fully convolutional head ends in 10x1x1; the loss wants (batch, 10)
        if (!trace.output().flat()) {
            net.add(Blocks.batchFlattenBlock());
        }
        return net;
    }

    /** ShuffleNet's channel shuffle, as torch.nn.ChannelShuffle: (g, c/g) channels become (c/g, g). */
    private static Block channelShuffle(int groups) {
        return new LambdaBlock(in -> {
            NDArray x = in.singletonOrThrow();
            Shape s = x.getShape();
            return new NDList(x.reshape(s.get(0), groups, s.get(1) / groups, s.get(2), s.get(3))
                    .transpose(0, 2, 1, 3, 4).reshape(s));
        }, "channelShuffle");
    }

    /**
     * x * sigmoid(x). Not DJL's swish, which multiplies by a Number: DJL frees that scalar right after the
     * multiply although backward still reads it, so a garbage collection in between corrupts the gradient.
     */
    static NDArray silu(NDArray x) {
        return x.mul(Activation.sigmoid(x));
    }

    private static Block block(ShapeTrace.Step step) {
        Layer l = step.layer();
        return switch (l.kind()) {
            case CONV -> Conv2d.builder()
                    .setKernelShape(new Shape(l.kernel(), l.kernel()))
                    .setFilters(l.out())
                    .optPadding(new Shape(l.padding(), l.padding()))
                    .optStride(new Shape(l.stride(), l.stride()))
                    .optGroups(l.groups())
                    .optBias(l.bias())
                    .build();
            case RELU -> Activation.reluBlock();
            case SILU -> new LambdaBlock(in -> new NDList(silu(in.singletonOrThrow())), "SiLU");
            case GELU -> Activation.geluBlock();
            // libtorch's leaky_relu takes the slope as a double, not as an array DJL could free early (see silu)
            case LEAKY_RELU -> Activation.leakyReluBlock((float) l.slope());
            // DJL's momentum is the weight of the old running value: 0.9 here is PyTorch's 0.1. Without affine,
            // DJL keeps gamma (ones) and beta (zeros) as parameters that need no gradient, so no optimizer moves them
            case BATCHNORM -> BatchNorm.builder().optMomentum(0.9f).optEpsilon(BATCHNORM_EPSILON)
                    .optScale(l.affine()).optCenter(l.affine()).build();
            case DROPOUT -> new SeededDropout(l.rate());
            case MAXPOOL -> Pool.maxPool2dBlock(new Shape(l.kernel(), l.kernel()), new Shape(l.stride(), l.stride()));
            case AVGPOOL -> Pool.avgPool2dBlock(new Shape(l.kernel(), l.kernel()), new Shape(l.stride(), l.stride()));
            // an average over the whole map keeps the 1x1 grid, so 1x1 convs can follow (DJL's global pool flattens)
            case GAP -> Pool.avgPool2dBlock(new Shape(step.in().height(), step.in().width()));
            case FLATTEN -> Blocks.batchFlattenBlock();
            case LINEAR -> Linear.builder().setUnits(l.out()).optBias(l.bias()).build();
            case SHUFFLE -> channelShuffle(l.groups());
        };
    }
}
