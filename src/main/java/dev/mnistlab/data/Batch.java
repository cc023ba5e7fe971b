package dev.mnistlab.data;

/**
 * One batch ready for the engine: images as NCHW floats, labels as class indices, and the indices of
 * the samples in their split (so evaluation can name the digits it got wrong). An augmented batch
 * arrives with its distortions drawn but its pixels not yet written: whoever feeds a range of samples
 * to the engine calls {@link #prepare} for it first, so the warping runs on the compute threads.
 */
public record Batch(float[] images, long[] labels, int[] indices, int size, Fill fill) {

    /** Writes the pixels of samples [from, to); a no-op for a batch that arrived complete. Ranges must not overlap. */
    public void prepare(int from, int to) {
        if (fill != null) {
            fill.write(from, to);
        }
    }

    /** Writes the pixels of a range of samples. */
    public interface Fill {
        void write(int from, int to);
    }
}
