// java -cp "target/test-classes:target/lib/*" bench/ScalarBackwardProbe.java [keep]
//   (after mvn verify or test-compile; keep: the scalar as an array of the manager)
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.mnistlab.NativeMemory;

/** Does x.mul(Number) keep its scalar alive for backward? Free it (GC) and reuse the memory before backward. */
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
                    NativeMemory.churn();
                    gc.backward(y.sum());
                }
                float g = x.getGradient().toFloatArray()[0];
                if (g != 0.5f) {
                    bad++;
                    System.out.println("trial " + trial + ": gradient " + g + " instead of 0.5");
                }
            }
        }
        System.out.println((keep ? "scalar kept in the manager" : "x.mul(0.5f)") + ": " + bad + " of 20 trials wrong");
    }
}
