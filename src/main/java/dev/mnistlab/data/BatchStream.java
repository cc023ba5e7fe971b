package dev.mnistlab.data;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Batches of one epoch over a split: optionally shuffled and augmented per sample, then normalised.
 * Batches are assembled on a background thread that consumes the random stream in sample order, so a
 * seed fixes the epoch exactly. Augmented batches leave the pixel work to {@link Batch#prepare}, which
 * the training threads call for their own shards: a third busy thread on two cores stalled them.
 */
public final class BatchStream implements Iterable<Batch> {

    private static final int PREFETCH = 3;

    private final Split split;
    private final float[] unitPixels;
    private final int batchSize;
    private final Normalization normalization;
    private final Augmentation augmentation;
    private final long epochSeed;
    private final boolean shuffle;

    /**
     * @param unitPixels the split's pixels scaled to [0, 1] (see {@link #unitPixels(Split)}), shared across epochs
     * @param epochSeed seeds the shuffle and the augmentation of this epoch
     * @param shuffle false for evaluation: samples in file order, no augmentation
     */
    public BatchStream(Split split, float[] unitPixels, int batchSize, Normalization normalization,
                       Augmentation augmentation, long epochSeed, boolean shuffle) {
        this.split = split;
        this.unitPixels = unitPixels;
        this.batchSize = batchSize;
        this.normalization = normalization;
        this.augmentation = shuffle ? augmentation : Augmentation.NONE;
        this.epochSeed = epochSeed;
        this.shuffle = shuffle;
    }

    /** The split's pixels as floats in [0, 1], computed once per run. */
    public static float[] unitPixels(Split split) {
        byte[] pixels = split.pixels();
        float[] out = new float[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            out[i] = (pixels[i] & 0xff) / 255f;
        }
        return out;
    }

    public int batchCount() {
        return (split.count() + batchSize - 1) / batchSize;
    }

    @Override
    public Iterator<Batch> iterator() {
        BlockingQueue<Object> queue = new ArrayBlockingQueue<>(PREFETCH);
        Thread producer = new Thread(() -> produce(queue), "batches-" + split.name());
        producer.setDaemon(true);
        producer.start();
        return new Iterator<>() {
            private int delivered;

            @Override
            public boolean hasNext() {
                return delivered < batchCount();
            }

            @Override
            public Batch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Object item = take(queue);
                if (item instanceof RuntimeException e) {
                    throw e;
                }
                delivered++;
                return (Batch) item;
            }
        };
    }

    private void produce(BlockingQueue<Object> queue) {
        try {
            SplittableRandom rng = new SplittableRandom(epochSeed);
            int[] order = order(rng);
            int pixelsPerImage = split.rows() * split.cols();
            Augmenter augmenter = augmentation.isNone() ? null : new Augmenter(augmentation, split.rows(), split.cols());
            float scale = (float) (1 / normalization.std());
            float shift = (float) normalization.mean();
            for (int start = 0; start < order.length; start += batchSize) {
                int size = Math.min(batchSize, order.length - start);
                float[] images = new float[size * pixelsPerImage];
                long[] labels = new long[size];
                int[] indices = new int[size];
                Augmenter.Distortion[] distortions = augmenter == null ? null : new Augmenter.Distortion[size];
                for (int i = 0; i < size; i++) {
                    int sample = order[start + i];
                    indices[i] = sample;
                    labels[i] = split.labels()[sample];
                    if (augmenter == null) {
                        System.arraycopy(unitPixels, sample * pixelsPerImage, images, i * pixelsPerImage, pixelsPerImage);
                        normalize(images, i * pixelsPerImage, pixelsPerImage, shift, scale);
                    } else {
                        distortions[i] = augmenter.draw(rng);
                    }
                }
                Batch.Fill fill = augmenter == null ? null : (from, to) -> {
                    for (int i = from; i < to; i++) {
                        augmenter.apply(distortions[i], unitPixels, indices[i] * pixelsPerImage, images, i * pixelsPerImage);
                        normalize(images, i * pixelsPerImage, pixelsPerImage, shift, scale);
                    }
                };
                queue.put(new Batch(images, labels, indices, size, fill));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            queue.offer(e);
        }
    }

    private static void normalize(float[] images, int from, int count, float shift, float scale) {
        for (int p = from; p < from + count; p++) {
            images[p] = (images[p] - shift) * scale;
        }
    }

    private int[] order(SplittableRandom rng) {
        int[] order = new int[split.count()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        if (shuffle) {
            for (int i = order.length - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    private static Object take(BlockingQueue<Object> queue) {
        try {
            return queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a batch", e);
        }
    }
}
