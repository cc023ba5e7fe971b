package dev.mnistlab.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Augmented batches arrive with their distortions drawn; the pixels are written by whoever prepares them. */
class BatchStreamTest {

    private static final Normalization NORM = new Normalization(0.1307, 0.3081);
    private static final Augmentation AUG = new Augmentation(10, 0.1, 0.9, 1.1, 0, 0.2, 0.2);

    @Test
    void preparingShardsOnOtherThreadsGivesTheSameBatchAsTheUsualPerSampleAugmentation() throws Exception {
        Split split = randomSplit(300);
        float[] unit = BatchStream.unitPixels(split);
        List<Batch> batches = new ArrayList<>();
        new BatchStream(split, unit, 128, NORM, AUG, 42, true).forEach(batches::add);
        for (Batch b : batches) {
            Thread other = new Thread(() -> b.prepare(b.size() / 2, b.size()));
            other.start();
            b.prepare(0, b.size() / 2);
            other.join();
        }

        // the reference: one random stream, shuffle then seven draws per sample in order, as before deferral
        SplittableRandom rng = new SplittableRandom(42);
        int[] order = shuffled(split.count(), rng);
        Augmenter augmenter = new Augmenter(AUG, 28, 28);
        float[] expected = new float[784];
        int sample = 0;
        for (Batch b : batches) {
            for (int i = 0; i < b.size(); i++, sample++) {
                assertThat(b.indices()[i]).isEqualTo(order[sample]);
                augmenter.apply(unit, order[sample] * 784, expected, 0, rng);
                for (int p = 0; p < 784; p++) {
                    assertThat(b.images()[i * 784 + p]).isEqualTo((float) ((expected[p] - (float) NORM.mean()) * (float) (1 / NORM.std())));
                }
            }
        }
        assertThat(sample).isEqualTo(300);
    }

    @Test
    void unaugmentedBatchesArriveComplete() {
        Split split = randomSplit(10);
        Batch b = new BatchStream(split, BatchStream.unitPixels(split), 10, NORM, null, 0, false).iterator().next();
        assertThat(b.fill()).isNull();
        assertThat(b.images()[0]).isEqualTo((float) (((split.pixels()[0] & 0xff) / 255f - (float) NORM.mean()) * (float) (1 / NORM.std())));
    }

    private static Split randomSplit(int n) {
        byte[] pixels = new byte[n * 784];
        new SplittableRandom(7).nextBytes(pixels);
        byte[] labels = new byte[n];
        return new Split("train", pixels, labels, n, 28, 28);
    }

    private static int[] shuffled(int n, SplittableRandom rng) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
