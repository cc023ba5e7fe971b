package dev.mnistlab.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mnistlab.train.ConstraintCheck;
import dev.mnistlab.train.EpochResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnalysisTest {

    @Test
    void theGapSaysWhetherTheModelOverOrUnderFits() {
        assertThat(Analysis.fit(epochs(new double[] {99.9}, new double[] {99.2}))).isEqualTo("train-test gap +0.70 pp at the end: over-fits");
        assertThat(Analysis.fit(epochs(new double[] {99.0}, new double[] {99.4}))).contains("-0.40 pp").contains("under-fits");
        assertThat(Analysis.fit(epochs(new double[] {99.5}, new double[] {99.3}))).contains("+0.20 pp").contains("fits (small gap)");
    }

    @Test
    void targetFactsNameTheFirstEpochAndWhetherItHolds() {
        double[] train = {98, 98, 98, 98, 98};
        assertThat(Analysis.target(epochs(train, new double[] {99.1, 99.41, 99.3, 99.4, 99.45}), 99.4))
                .isEqualTo("first reaches 99.40% at epoch 2, holds it from epoch 4 on");
        assertThat(Analysis.target(epochs(train, new double[] {99.1, 99.41, 99.3, 99.4, 99.35}), 99.4))
                .isEqualTo("first reaches 99.40% at epoch 2, does not hold it to the end");
        assertThat(Analysis.target(epochs(train, new double[] {99.1, 99.2, 99.3, 99.38, 99.35}), 99.4))
                .isEqualTo("never reaches 99.40% (best 99.38%, 0.02 pp short)");
    }

    @Test
    void constraintsColumnNamesWhatFailed() {
        assertThat(Comparison.constraints(List.of(new ConstraintCheck.Line(true, "a"), new ConstraintCheck.Line(true, "b"))))
                .isEqualTo("PASS");
        assertThat(Comparison.constraints(List.of(new ConstraintCheck.Line(true, "a"), new ConstraintCheck.Line(false, "b"),
                new ConstraintCheck.Line(false, "c")))).isEqualTo("FAIL (epochs, accuracy)");
    }

    private static List<EpochResult> epochs(double[] train, double[] test) {
        List<EpochResult> list = new ArrayList<>();
        for (int i = 0; i < test.length; i++) {
            list.add(new EpochResult(i + 1, 0.01, 0.1, train[Math.min(i, train.length - 1)], 0.02, test[i], 1));
        }
        return list;
    }
}
