import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Does DJL's PyTorch engine take bfloat16? bench/precision_probe.py shows bf16 is where a large
 * speed-up on this CPU would come from. Run after a build (target/lib holds the jars):
 *
 *   java -cp "target/lib/*" bench/Bf16Probe.java
 *
 * With DJL 0.34 / libtorch 2.7.1 the cast below aborts the JVM ("terminate called without an active
 * exception"), so mnistlab cannot train in bf16 through DJL's public API today.
 */
public class Bf16Probe {
    public static void main(String[] args) {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.randomNormal(new Shape(4, 1, 28, 28));
            System.out.println("float32 array made; casting to bfloat16...");
            NDArray bf16 = x.toType(DataType.BFLOAT16, false);
            System.out.println("cast ok: " + bf16.getDataType());
        }
    }
}
