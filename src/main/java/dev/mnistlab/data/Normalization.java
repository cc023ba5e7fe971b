package dev.mnistlab.data;

/**
 * Per-pixel normalisation applied after augmentation: (x - mean) / std on pixels scaled to [0, 1].
 * Defaults are MNIST's training-set statistics, as in the write-ups.
 */
public record Normalization(double mean, double std) {

    public static final Normalization MNIST = new Normalization(0.1307, 0.3081);

    /**
     * Normalises {@code images[from .. from+count)} in place. The one place this arithmetic lives: training,
     * evaluation and inference all call it, so their inputs agree bit for bit. It runs in float as
     * {@code (x - mean) * (1 / std)}, which is what fixed the digits of every recorded run.
     */
    public void applyInPlace(float[] images, int from, int count) {
        float scale = (float) (1 / std);
        float shift = (float) mean;
        for (int p = from; p < from + count; p++) {
            images[p] = (images[p] - shift) * scale;
        }
    }

    /** A normalised copy of {@code unitPixels[from .. from+count)}. */
    public float[] apply(float[] unitPixels, int from, int count) {
        float[] out = java.util.Arrays.copyOfRange(unitPixels, from, from + count);
        applyInPlace(out, 0, count);
        return out;
    }
}
