// java -cp "target/classes:target/lib/*" bench/DepthwiseProbe.java [BATCH] [ROUNDS]
//   (after mvn package) times forward+backward of frontier-8k's depthwise 3x3 convs two ways, one thread:
//   libtorch's grouped conv2d, and the sum of 9 shifted per-channel products; checks both against float64.
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import ai.djl.engine.Engine;
import dev.mnistlab.train.EngineThreads;

public class DepthwiseProbe {

    static NDArray grouped(NDArray x, NDArray w) {
        long c = x.getShape().get(1);
        return x.getNDArrayInternal().convolution(x, w, null, new Shape(1, 1), new Shape(0, 0), new Shape(1, 1), (int) c)
                .singletonOrThrow();
    }

    static NDArray shifted(NDArray x, NDArray w) {
        long c = x.getShape().get(1);
        long h = x.getShape().get(2) - 2;
        long wd = x.getShape().get(3) - 2;
        NDArray sum = null;
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                NDArray tap = w.get(new NDIndex(":, 0, {}, {}", i, j)).reshape(1, c, 1, 1);
                NDArray part = x.get(new NDIndex(":, :, {}:{}, {}:{}", i, i + h, j, j + wd)).mul(tap);
                sum = sum == null ? part : sum.add(part);
            }
        }
        return sum;
    }

    interface Dw { NDArray apply(NDArray x, NDArray w); }

    static double time(NDManager root, Dw f, long n, long c, long hw, int rounds) {
        long best = Long.MAX_VALUE;
        for (int r = 0; r < rounds; r++) {
            try (NDManager m = root.newSubManager()) {
                NDArray x = m.randomNormal(new Shape(n, c, hw, hw));
                NDArray w = m.randomNormal(new Shape(c, 1, 3, 3));
                x.setRequiresGradient(true);
                w.setRequiresGradient(true);
                long t0 = System.nanoTime();
                try (GradientCollector g = Engine.getInstance().newGradientCollector()) {
                    NDArray y = f.apply(x, w);
                    g.backward(y.mul(m.create(1f)).sum());
                }
                x.getGradient().sum().getFloat(); // wait for the result
                best = Math.min(best, System.nanoTime() - t0);
            }
        }
        return best / 1e6;
    }

    public static void main(String[] a) {
        int n = a.length > 0 ? Integer.parseInt(a[0]) : 128;
        int rounds = a.length > 1 ? Integer.parseInt(a[1]) : 20;
        EngineThreads.configure(1);
        long[][] shapes = {{12, 26}, {24, 24}, {24, 11}, {32, 9}, {48, 7}};
        try (NDManager root = NDManager.newBaseManager()) {
            for (long[] s : shapes) {
                // accuracy against float64: outputs and both gradients
                try (NDManager m = root.newSubManager()) {
                    NDArray x64 = m.randomNormal(new Shape(4, s[0], s[1], s[1])).toType(DataType.FLOAT64, false);
                    NDArray w64 = m.randomNormal(new Shape(s[0], 1, 3, 3)).toType(DataType.FLOAT64, false);
                    double[] err = new double[3];
                    NDArray[] ref = run(x64, w64, DepthwiseProbe::grouped);
                    NDArray[] got = run(x64.toType(DataType.FLOAT32, false), w64.toType(DataType.FLOAT32, false), DepthwiseProbe::shifted);
                    NDArray[] conv = run(x64.toType(DataType.FLOAT32, false), w64.toType(DataType.FLOAT32, false), DepthwiseProbe::grouped);
                    for (int k = 0; k < 3; k++) {
                        double scale = ref[k].abs().max().toType(DataType.FLOAT64, false).getDouble();
                        err[k] = got[k].toType(DataType.FLOAT64, false).sub(ref[k]).abs().max().getDouble() / scale;
                        double convErr = conv[k].toType(DataType.FLOAT64, false).sub(ref[k]).abs().max().getDouble() / scale;
                        System.out.printf("  C=%d %dx%d %s: rel err shifted %.2e, grouped conv %.2e%n", s[0], s[1], s[1],
                                new String[] {"out", "dx", "dw"}[k], err[k], convErr);
                    }
                }
                double tc = time(root, DepthwiseProbe::grouped, n, s[0], s[1], rounds);
                double ts = time(root, DepthwiseProbe::shifted, n, s[0], s[1], rounds);
                tc = Math.min(tc, time(root, DepthwiseProbe::grouped, n, s[0], s[1], rounds));
                System.out.printf("C=%d %dx%d batch %d: grouped conv %.2f ms, shifted sum %.2f ms (fwd+bwd, best of %d)%n",
                        s[0], s[1], s[1], n, tc, ts, rounds);
            }
        }
    }

    static NDArray[] run(NDArray x, NDArray w, Dw f) {
        NDArray xc = x.duplicate();
        NDArray wc = w.duplicate();
        xc.setRequiresGradient(true);
        wc.setRequiresGradient(true);
        NDArray y;
        try (GradientCollector g = Engine.getInstance().newGradientCollector()) {
            y = f.apply(xc, wc);
            NDArray weights = y.getManager().arange((float) y.size()).reshape(y.getShape()).toType(y.getDataType(), false).sin();
            g.backward(y.mul(weights).sum());
        }
        return new NDArray[] {y, xc.getGradient(), wc.getGradient()};
    }
}
