package dev.mnistlab.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mnistlab.train.EpochResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChartsTest {

    @Test
    void theZoomedAxisSpreadsTheLastEpochsAroundTheTarget() {
        List<EpochResult> epochs = new ArrayList<>();
        double[] test = {98.3, 98.9, 99.1, 99.2, 99.3, 99.35, 99.3, 99.45, 99.5, 99.47};
        for (int i = 0; i < test.length; i++) {
            epochs.add(new EpochResult(i + 1, 0.01, 0.1, 99, 0.02, test[i], 1));
        }
        double[] range = Charts.zoomRange(epochs, 99.4);
        assertThat(range[0]).isLessThanOrEqualTo(99.1).isGreaterThanOrEqualTo(98.9);
        assertThat(range[1]).isGreaterThanOrEqualTo(99.6).isLessThanOrEqualTo(99.7);
        // 99.3 and 99.5 lie at least a fifth of the axis apart
        assertThat(0.2 / (range[1] - range[0])).isGreaterThan(0.2);
    }

    @Test
    void aWeakRunIsZoomedNoFurtherThanTwoPointsBelowTheTarget() {
        List<EpochResult> epochs = List.of(new EpochResult(1, 0.01, 1, 50, 1, 60, 1), new EpochResult(2, 0.01, 1, 50, 1, 70, 1));
        double[] range = Charts.zoomRange(epochs, 99.4);
        assertThat(range[0]).isEqualTo(97.4, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(range[1]).isEqualTo(99.7, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void confusionCountsRowsByTrueLabelAndMistakesComeMostConfidentFirst() {
        List<RunData.Prediction> p = List.of(new RunData.Prediction(0, 3, 3, 0.99), new RunData.Prediction(1, 3, 5, 0.6),
                new RunData.Prediction(2, 7, 1, 0.9), new RunData.Prediction(3, 7, 7, 0.8));
        int[][] m = Confusion.matrix(p);
        assertThat(m[3][3]).isEqualTo(1);
        assertThat(m[3][5]).isEqualTo(1);
        assertThat(m[7][1]).isEqualTo(1);
        assertThat(Confusion.wrong(p)).isEqualTo(2);
        assertThat(Confusion.mistakes(p, 64)).extracting(RunData.Prediction::index).containsExactly(2, 1);
        assertThat(Confusion.mistakes(p, 1)).hasSize(1);
    }
}
