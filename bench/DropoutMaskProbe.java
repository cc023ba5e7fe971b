import java.util.SplittableRandom;

/**
 * SeededDropout draws its masks in Java; this times the mask loop before and after making it
 * branch-free (both give the same masks). One million elements is about seed003's dropout per
 * 64-image shard.
 *
 *   java bench/DropoutMaskProbe.java
 */
public class DropoutMaskProbe {
    static final int LEVELS = 1 << 16;

    static void conditional(float[] mask, int n, SplittableRandom random, int threshold, float keep) {
        for (int i = 0; i < n; i += 4) {
            long bits = random.nextLong();
            for (int j = i; j < Math.min(i + 4, n); j++, bits >>>= 16) {
                mask[j] = (bits & (LEVELS - 1)) < threshold ? 0f : keep;
            }
        }
    }

    static void branchFree(float[] mask, int n, SplittableRandom random, int threshold, float keep) {
        for (int i = 0; i < (n & ~3); i += 4) {
            long bits = random.nextLong();
            mask[i] = keep * ((((int) bits & (LEVELS - 1)) - threshold) >>> 31 ^ 1);
            mask[i + 1] = keep * ((((int) (bits >>> 16) & (LEVELS - 1)) - threshold) >>> 31 ^ 1);
            mask[i + 2] = keep * ((((int) (bits >>> 32) & (LEVELS - 1)) - threshold) >>> 31 ^ 1);
            mask[i + 3] = keep * (((int) (bits >>> 48) - threshold) >>> 31 ^ 1);
        }
    }

    public static void main(String[] args) {
        int n = 1_064_000;
        float[] a = new float[n];
        float[] b = new float[n];
        int threshold = (int) Math.round(0.05 * LEVELS);
        float keep = 1f / 0.95f;
        conditional(a, n, new SplittableRandom(1), threshold, keep);
        branchFree(b, n, new SplittableRandom(1), threshold, keep);
        System.out.println("same masks: " + java.util.Arrays.equals(a, b));
        for (int rep = 0; rep < 5; rep++) {
            SplittableRandom r = new SplittableRandom(rep);
            long t0 = System.nanoTime();
            for (int k = 0; k < 50; k++) {
                conditional(a, n, r, threshold, keep);
            }
            long t1 = System.nanoTime();
            for (int k = 0; k < 50; k++) {
                branchFree(b, n, r, threshold, keep);
            }
            long t2 = System.nanoTime();
            System.out.printf("ms per mask: conditional %.2f, branch-free %.2f%n", (t1 - t0) / 50e6, (t2 - t1) / 50e6);
        }
    }
}
