package dev.mnistlab.data;

/**
 * Per-pixel normalisation applied after augmentation: (x - mean) / std on pixels scaled to [0, 1].
 * Defaults are MNIST's training-set statistics, as in the write-ups.
 */
public record Normalization(double mean, double std) {

    public static final Normalization MNIST = new Normalization(0.1307, 0.3081);
}
