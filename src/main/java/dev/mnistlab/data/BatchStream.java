package dev.mnistlab.data;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

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
        return batches(split.count(), batchSize, shuffle);
    }

    /**
     * Batches in an epoch of {@code count} images. A training epoch leaves out a last batch of a single image,
     * as PyTorch's {@code drop_last} would: BatchNorm cannot normalise one value per channel (after a global
     * pool or a flatten), and one image is no batch statistic anyway. Evaluation keeps every image.
     */
    public static int batches(int count, int batchSize, boolean training) {
        int all = (count + batchSize - 1) / batchSize;
        return training && count > 1 && count % batchSize == 1 ? all - 1 : all;
    }

    /** The distinct sizes of those batches: a full one and a smaller last one, where there is one (none for no images). */
    public static Set<Integer> batchSizes(int count, int batchSize, boolean training) {
        int n = batches(count, batchSize, training);
        Set<Integer> sizes = new TreeSet<>();
        if (n > 0) {
            sizes.add(Math.min(batchSize, count));
            sizes.add(Math.min(batchSize, count - (n - 1) * batchSize));
        }
        return sizes;
    }

    /**
     * Starts producing this epoch's batches. Close the iterator when done with it, also when leaving early
     * (a diverged loss, an exception): that stops its producer thread, which would otherwise wait forever.
     */
    @Override
    public Batches iterator() {
        return new Batches();
    }

    /** Runs {@code action} on every batch, closing the iterator however it ends. */
    @Override
    public void forEach(Consumer<? super Batch> action) {
        try (Batches batches = iterator()) {
            batches.forEachRemaining(action);
        }
    }

    /**
     * One epoch's batches, assembled ahead on a background thread. Whatever the producer throws reaches
     * the consumer in order, after the batches made before it; {@link #close()} stops the producer.
     */
    public final class Batches implements Iterator<Batch>, AutoCloseable {

        private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(PREFETCH);
        private final Thread producer = new Thread(() -> produce(queue), "batches-" + split.name());
        private int delivered;

        private Batches() {
            producer.setDaemon(true);
            producer.start();
        }

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
            if (item instanceof Error e) {
                throw e;
            }
            delivered++;
            return (Batch) item;
        }

        /** Stops the producer: it is waiting for room in the queue or about to, and an interrupt ends either. */
        @Override
        public void close() {
            producer.interrupt();
        }
    }

    private void produce(BlockingQueue<Object> queue) {
        try {
            SplittableRandom rng = new SplittableRandom(epochSeed);
            int[] order = order(rng);
            int pixelsPerImage = split.rows() * split.cols();
            Augmenter augmenter = augmentation.isNone() ? null : new Augmenter(augmentation, split.rows(), split.cols());
            for (int start = 0, b = 0; b < batchCount(); start += batchSize, b++) {
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
                        normalization.applyInPlace(images, i * pixelsPerImage, pixelsPerImage);
                    } else {
                        distortions[i] = augmenter.draw(rng);
                    }
                }
                Batch.Fill fill = augmenter == null ? null : (from, to) -> {
                    for (int i = from; i < to; i++) {
                        augmenter.apply(distortions[i], unitPixels, indices[i] * pixelsPerImage, images, i * pixelsPerImage);
                        normalization.applyInPlace(images, i * pixelsPerImage, pixelsPerImage);
                    }
                };
                queue.put(new Batch(images, labels, indices, size, fill));
            }
        } catch (InterruptedException e) {
            // closed: nobody takes batches any more
        } catch (RuntimeException | Error e) {
            deliver(queue, e);
        }
    }

    /** Hands the producer's failure to the consumer, waiting for room as a batch would (offer dropped it when full). */
    private static void deliver(BlockingQueue<Object> queue, Throwable failure) {
        try {
            queue.put(failure);
        } catch (InterruptedException closed) {
            // closed meanwhile: nobody is left to tell
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
