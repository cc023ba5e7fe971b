import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;

/**
 * Why mnistlab does not run channels-last: libtorch's training-mode BatchNorm on a channels-last input
 * sums its batch statistics less exactly than on NCHW. One BatchNorm in training mode, float32 on an
 * NCHW and on a channels-last input (strides made with views, as DJL has no memory-format API), each
 * compared with float64; the loss is sum(output * r) for a fixed random r. Run after a build:
 *
 *   java -cp "target/lib/*" bench/ChannelsLastBatchNormProbe.java
 */
public class ChannelsLastBatchNormProbe {
    public static void main(String[] args) {
        // frontier-8k's first BatchNorm (12 channels of 26x26) and one after the pool (32 of 7x7), batch 128
        for (Shape in : new Shape[] {new Shape(128, 12, 26, 26), new Shape(128, 32, 7, 7)}) {
            try (NDManager m = NDManager.newBaseManager()) {
                // like a conv output after ReLU, as BatchNorm sees it in mnistlab's blocks
                NDArray x = m.randomNormal(in).add(0.5f).maximum(0f).mul(3f);
                NDArray r = m.randomNormal(in);
                float[][] reference = run(m, x, r, DataType.FLOAT64, false);
                float[][] nchw = run(m, x, r, DataType.FLOAT32, false);
                float[][] channelsLast = run(m, x, r, DataType.FLOAT32, true);
                System.out.printf("%s  output error: NCHW %.1e, channels-last %.1e;  input-gradient error: NCHW %.1e, channels-last %.1e%n",
                        in, error(nchw[0], reference[0]), error(channelsLast[0], reference[0]),
                        error(nchw[1], reference[1]), error(channelsLast[1], reference[1]));
            }
        }
        System.out.println("(largest absolute difference from float64, relative to the largest float64 value)");
    }

    /** The output and the input's gradient, as float32. */
    private static float[][] run(NDManager m, NDArray x, NDArray r, DataType type, boolean channelsLast) {
        Block bn = BatchNorm.builder().optMomentum(0.9f).optEpsilon(1e-5f).build();
        bn.initialize(m, type, x.getShape());
        NDArray input = x.toType(type, false).duplicate();
        input.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray in = input;
            if (channelsLast) {
                long[] s = input.getShape().getShape();
                // (N, H, W, C) laid out densely, seen as (N, C, H, W): libtorch's channels-last strides
                in = input.transpose(0, 2, 3, 1).reshape(s[0], -1).reshape(s[0], s[2], s[3], s[1]).transpose(0, 3, 1, 2);
            }
            NDArray out = bn.forward(new ParameterStore(m, false), new NDList(in), true).singletonOrThrow();
            gc.backward(out.mul(r.toType(type, false)).sum());
            return new float[][] {out.toType(DataType.FLOAT32, false).toFloatArray(),
                    input.getGradient().toType(DataType.FLOAT32, false).toFloatArray()};
        }
    }

    private static double error(float[] actual, float[] expected) {
        double scale = 0;
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
        }
        return worst / scale;
    }
}
