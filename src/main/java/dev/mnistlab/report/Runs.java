package dev.mnistlab.report;

import dev.mnistlab.train.EpochResult;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;

/** Small facts about a run's epochs, shared by the run report and the comparison table. */
final class Runs {

    private Runs() {}

    static double bestTrain(List<EpochResult> epochs) {
        return epochs.stream().mapToDouble(EpochResult::trainAccuracy).max().orElseThrow();
    }

    /** Four significant digits without trailing zeros: 0.05, 0.0005, 0.001234. */
    static String number(double value) {
        return new BigDecimal(value).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }

    static List<EpochResult> last(List<EpochResult> epochs, int n) {
        return epochs.subList(Math.max(0, epochs.size() - n), epochs.size());
    }
}
