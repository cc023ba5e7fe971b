// java -cp "target/classes:target/lib/*" bench/PaddedWeightsProbe.java [OUT_CHANNELS] [zeroed]
//   (after mvn package; zeroed: libtorch clears new buffers, as training does since the fix)
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import dev.mnistlab.model.ZeroedTorchMemory;
import java.util.ArrayList;
import java.util.List;

/**
 * Is a conv's input gradient finite when freed memory holds NaN? For the input-gradient kernel oneDNN pads
 * the weights to a multiple of 16 output channels (AVX-512) and never writes the padding of that fresh buffer.
 */
public class PaddedWeightsProbe {

    /** Frees 9 to 12 KiB blocks of NaN between kept ones, so the next small buffers are cut from NaN. */
    static void leaveNaNInFreedMemory(NDManager m) {
        for (int i = 0; i < 40; i++) {
            NDArray filled = m.full(new Shape(2304 + 256 * (i % 4)), Float.NaN);
            if (i % 2 == 0) {
                filled.close();
            }
        }
    }

    public static void main(String[] a) throws Exception {
        int out = a.length > 0 ? Integer.parseInt(a[0]) : 9;
        boolean zeroed = a.length > 1 && a[1].equals("zeroed");
        int in = 9;
        int bad = 0;
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            if (zeroed) {
                ZeroedTorchMemory.turnOn(); // zero fill from here on
            }
            for (int trial = 0; trial < 20; trial++) {
                try (NDManager s = m.newSubManager()) {
                    NDArray x = s.randomNormal(new Shape(128, in, 24, 24));
                    x.setRequiresGradient(true);
                    NDArray w = s.randomNormal(new Shape(out, in, 3, 3));
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray y = Conv2d.conv2d(x, w).singletonOrThrow();
                        leaveNaNInFreedMemory(s);
                        gc.backward(y.sum());
                    }
                    float[] grad = x.getGradient().toFloatArray();
                    int plane = 24 * 24;
                    List<Integer> channels = new ArrayList<>();
                    for (int c = 0; c < in; c++) {
                        boolean nan = false;
                        for (int n = 0; n < 128 && !nan; n++) {
                            for (int p = (n * in + c) * plane; p < (n * in + c + 1) * plane && !nan; p++) {
                                nan = Float.isNaN(grad[p]);
                            }
                        }
                        if (nan) {
                            channels.add(c);
                        }
                    }
                    if (!channels.isEmpty()) {
                        bad++;
                        System.out.println("trial " + trial + ": NaN in the input gradient of channels " + channels);
                    }
                }
            }
        }
        System.out.printf("conv %d->%d, NaN left in freed memory before backward, %s: %d of 20 input gradients contain NaN%n",
                in, out, zeroed ? "libtorch zeroing new memory" : "libtorch's default allocator", bad);
    }
}
