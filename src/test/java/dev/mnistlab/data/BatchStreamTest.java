package dev.mnistlab.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Augmented batches arrive with their distortions drawn; the pixels are written by whoever prepares them. The
 * producer thread never outlives its consumer and never loses a failure.
 */
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
                augmenter.apply(augmenter.draw(rng), unit, order[sample] * 784, expected, 0);
                for (int p = 0; p < 784; p++) {
                    assertThat(b.images()[i * 784 + p]).isEqualTo((float) ((expected[p] - (float) NORM.mean()) * (float) (1 / NORM.std())));
                }
            }
        }
        assertThat(sample).isEqualTo(300);
    }

    /** The sizes the zero-fill proof runs a network at: what an epoch's batches really are. */
    @Test
    void batchSizesAreTheFullBatchAndTheLastOneLeavingOutALoneImageInTraining() {
        assertThat(BatchStream.batchSizes(60_000, 128, true)).containsExactly(96, 128);
        assertThat(BatchStream.batchSizes(129, 128, true)).containsExactly(128);
        assertThat(BatchStream.batchSizes(129, 128, false)).containsExactly(1, 128);
        assertThat(BatchStream.batchSizes(10_000, 250, false)).containsExactly(250);
        assertThat(BatchStream.batchSizes(100, 128, true)).containsExactly(100);
        assertThat(BatchStream.batchSizes(0, 128, true)).isEmpty();
        List<Integer> sizes = new ArrayList<>();
        Split split = randomSplit(300);
        new BatchStream(split, BatchStream.unitPixels(split), 128, NORM, Augmentation.NONE, 1, true).forEach(b -> sizes.add(b.size()));
        assertThat(BatchStream.batchSizes(300, 128, true)).containsExactlyInAnyOrderElementsOf(new java.util.TreeSet<>(sizes));
    }

    @Test
    void unaugmentedBatchesArriveComplete() {
        Split split = randomSplit(10);
        Batch b = new BatchStream(split, BatchStream.unitPixels(split), 10, NORM, null, 0, false).iterator().next();
        assertThat(b.fill()).isNull();
        assertThat(b.images()[0]).isEqualTo((float) (((split.pixels()[0] & 0xff) / 255f - (float) NORM.mean()) * (float) (1 / NORM.std())));
    }

    /**
     * The producer fails making the fourth batch while the three before it fill the queue: the failure must
     * still reach the consumer after them (it was offered to the full queue and dropped, and the consumer
     * then waited forever).
     */
    @Test
    void aFailureInTheProducerReachesTheConsumerEvenWhenTheQueueIsFull() throws InterruptedException {
        Split split = randomSplit(10, "fails-when-full");
        float[] pixelsForThree = Arrays.copyOf(BatchStream.unitPixels(split), 3 * 784);
        BatchStream.Batches batches = new BatchStream(split, pixelsForThree, 1, NORM, null, 0, false).iterator();
        try (batches) {
            waitUntilBlockedOrDone(producer("fails-when-full"));
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                for (int i = 0; i < 3; i++) {
                    assertThat(batches.next().indices()).containsExactly(i);
                }
                assertThatThrownBy(batches::next).isInstanceOf(IndexOutOfBoundsException.class);
            });
        }
    }

    /** A consumer that leaves early (a diverged loss) closes the iterator, and that ends the producer thread. */
    @Test
    void closingAnIteratorLeftMidEpochEndsItsProducer() throws InterruptedException {
        Split split = randomSplit(64, "left-mid-epoch");
        BatchStream.Batches batches = new BatchStream(split, BatchStream.unitPixels(split), 4, NORM, AUG, 1, true).iterator();
        batches.next();
        Thread producer = producer("left-mid-epoch");
        waitUntilBlockedOrDone(producer);
        assertThat(producer.getState()).isEqualTo(Thread.State.WAITING); // 15 batches left, room for 3
        batches.close();
        producer.join(20_000);
        assertThat(producer.isAlive()).isFalse();
    }

    @Test
    void forEachClosesItsIteratorWhenTheActionThrows() throws InterruptedException {
        Split split = randomSplit(64, "for-each-throws");
        BatchStream stream = new BatchStream(split, BatchStream.unitPixels(split), 4, NORM, null, 0, false);
        assertThatThrownBy(() -> stream.forEach(b -> {
            throw new IllegalStateException("stop");
        })).hasMessage("stop");
        Thread producer = producer("for-each-throws");
        if (producer != null) {
            producer.join(20_000);
            assertThat(producer.isAlive()).isFalse();
        }
    }

    private static Thread producer(String splitName) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("batches-" + splitName))
                .findFirst().orElse(null);
    }

    /** Until the producer waits for room in the queue or has ended. */
    private static void waitUntilBlockedOrDone(Thread producer) throws InterruptedException {
        for (int i = 0; i < 2000 && producer != null && producer.isAlive()
                && producer.getState() != Thread.State.WAITING; i++) {
            Thread.sleep(10);
        }
    }

    private static Split randomSplit(int n) {
        return randomSplit(n, "train");
    }

    private static Split randomSplit(int n, String name) {
        byte[] pixels = new byte[n * 784];
        new SplittableRandom(7).nextBytes(pixels);
        byte[] labels = new byte[n];
        return new Split(name, pixels, labels, n, 28, 28);
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
