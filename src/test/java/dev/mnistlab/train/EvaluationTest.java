package dev.mnistlab.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mnistlab.data.Normalization;
import dev.mnistlab.data.Split;
import dev.mnistlab.model.Shape3;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The one evaluation type and routine, on numbers small enough to check by hand. */
class EvaluationTest {

    @Test
    void countsNamesTheSplitAndWritesTheUsualLine() {
        byte[] labels = {3, 3, 7, 7, 1};
        Evaluation e = new Evaluation("validation", 0.123456, labels, new int[] {3, 5, 1, 7, 1},
                new float[] {0.9f, 0.6f, 0.8f, 0.7f, 0.99f});
        assertThat(e.correct()).isEqualTo(3);
        assertThat(e.accuracy()).isEqualTo(60.0);
        int[][] confusion = e.confusion();
        assertThat(confusion[3]).containsExactly(0, 0, 0, 1, 0, 1, 0, 0, 0, 0);
        assertThat(confusion[7][1]).isEqualTo(1);
        assertThat(e.line()).isEqualTo("Validation set: Average loss: 0.1235, Accuracy: 3/5 (60.00%)");
        assertThat(new Evaluation("test", 0.5, labels, e.predictions(), e.confidence()).line()).startsWith("Test set: ");
        assertThat(e.text()).contains("      3       2        1    50.00%").contains("  7 |      0     1");
        assertThat(e.predictionsCsv()).startsWith("index,label,predicted,confidence\n0,3,3,0.90000\n1,3,5,0.60000\n");
    }

    @Test
    void theBestEpochIsTheEarliestOfEqualAccuracies() {
        List<EpochResult> epochs = List.of(new EpochResult(1, 0.1, 1, 90, 0.1, 98.5, 1),
                new EpochResult(2, 0.1, 1, 90, 0.1, 99.1, 1), new EpochResult(3, 0.1, 1, 90, 0.1, 99.1, 1));
        assertThat(EpochResult.best(epochs).epoch()).isEqualTo(2);
    }

    /** Batches of 250 in split order, normalised as training normalises, the batch losses weighted by size. */
    @Test
    void theRoutineBatchesNormalisesAndWeightsTheLoss() {
        int n = 600;
        byte[] pixels = new byte[n * 4];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            pixels[i * 4] = (byte) 255;
            labels[i] = (byte) (i % 10);
        }
        Split split = new Split("test", pixels, labels, n, 2, 2);
        Normalization norm = new Normalization(0.5, 0.25);
        List<Long> batchSizes = new ArrayList<>();
        AtomicReference<float[]> firstImage = new AtomicReference<>();
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Evaluation e = Evaluator.evaluate(split, norm, Shape3.map(1, 2, 2), manager, images -> {
                batchSizes.add(images.getShape().get(0));
                firstImage.compareAndSet(null, images.get(0).toFloatArray());
                // uniform logits, but class 0 slightly ahead: loss about ln(10) everywhere, every prediction 0
                int rows = (int) images.getShape().get(0);
                float[] logits = new float[rows * 10];
                for (int r = 0; r < rows; r++) {
                    logits[r * 10] = 1e-3f;
                }
                return images.getManager().create(logits, new Shape(rows, 10));
            });
            assertThat(batchSizes).containsExactly(250L, 250L, 100L);
            assertThat(firstImage.get()).containsExactly(2f, -2f, -2f, -2f);
            assertThat(e.loss()).isCloseTo(Math.log(10), offset(1e-3));
            assertThat(e.total()).isEqualTo(n);
            assertThat(e.correct()).isEqualTo(60);
            assertThat(e.predictions()).containsOnly(0);
            assertThat(e.split()).isEqualTo("test");
        }
    }
}
