package dev.mnistlab.train;

import dev.mnistlab.data.Batch;
import java.util.SplittableRandom;

/** Test input: a complete batch of 28x28 images of Gaussian noise with random labels, the same for the same seed. */
final class RandomBatch {

    private RandomBatch() {}

    static Batch of(int size, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] images = new float[size * 28 * 28];
        long[] labels = new long[size];
        for (int i = 0; i < images.length; i++) {
            images[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < labels.length; i++) {
            labels[i] = random.nextInt(10);
        }
        return new Batch(images, labels, new int[size], size, null);
    }
}
