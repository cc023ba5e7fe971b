package dev.mnistlab.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The exercise's rules applied to a finished run, one PASS/FAIL line each. */
public final class ConstraintCheck {

    /** One checked rule. */
    public record Line(boolean pass, String text) {
        @Override
        public String toString() {
            return (pass ? "PASS  " : "FAIL  ") + text;
        }
    }

    private ConstraintCheck() {}

    /** The rules for a run evaluated on the test set. */
    public static List<Line> check(long params, List<EpochResult> epochs, Recipe.Constraints c) {
        return check(params, epochs, c, "test");
    }

    /** The rules, the accuracy line naming the split the epochs were evaluated on ("test" or "validation"). */
    public static List<Line> check(long params, List<EpochResult> epochs, Recipe.Constraints c, String split) {
        List<Line> lines = new ArrayList<>();
        lines.add(new Line(params < c.maxParams(),
                String.format(Locale.ROOT, "trainable params %,d < %,d", params, c.maxParams())));
        lines.add(new Line(!epochs.isEmpty() && epochs.size() <= c.maxEpochs(),
                String.format(Locale.ROOT, "epochs %d <= %d", epochs.size(), c.maxEpochs())));
        List<EpochResult> last = epochs.subList(Math.max(0, epochs.size() - c.lastEpochs()), epochs.size());
        boolean enough = epochs.size() >= c.lastEpochs();
        boolean allAbove = enough && last.stream().allMatch(e -> e.testAccuracy() >= c.targetAccuracy() - 1e-9);
        StringBuilder values = new StringBuilder();
        for (EpochResult e : last) {
            values.append(values.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", e.testAccuracy()));
        }
        lines.add(new Line(allAbove, String.format(Locale.ROOT, "%s accuracy >= %.2f%% in each of the last %d epochs (%s)",
                split, c.targetAccuracy(), c.lastEpochs(), values)));
        return lines;
    }

    public static boolean allPass(List<Line> lines) {
        return lines.stream().allMatch(Line::pass);
    }
}
