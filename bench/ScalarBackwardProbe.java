// java -cp "target/lib/*" bench/ScalarBackwardProbe.java [keep]  (keep: the scalar as an array of the manager)
import ai.djl.engine.Engine;
import ai.djl.ndarray.*;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Does x.mul(Number) keep its scalar alive for backward? Free it (GC) and refill the heap before backward. */
public class ScalarBackwardProbe {
    public static void main(String[] a) throws Exception {
        boolean keep = a.length > 0 && a[0].equals("keep");
        int bad = 0;
        for (int trial = 0; trial < 20; trial++) {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                NDArray x = m.ones(new Shape(4));
                x.setRequiresGradient(true);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray y = keep ? x.mul(m.create(0.5f)) : x.mul(0.5f);
                    for (int i = 0; i < 3; i++) { System.gc(); Thread.sleep(20); }
                    List<ByteBuffer> junk = new ArrayList<>();
                    for (int i = 0; i < 20000; i++) {
                        ByteBuffer b = ByteBuffer.allocateDirect(4);
                        b.putFloat(0, Float.NaN);
                        junk.add(b);
                    }
                    gc.backward(y.sum());
                    junk.clear();
                }
                float[] g = x.getGradient().toFloatArray();
                if (g[0] != 0.5f) { bad++; System.out.println("trial " + trial + ": gradient " + g[0] + " instead of 0.5"); }
            }
        }
        System.out.println((keep ? "scalar kept in the manager" : "x.mul(0.5f)") + ": " + bad + " of 20 trials wrong");
    }
}
