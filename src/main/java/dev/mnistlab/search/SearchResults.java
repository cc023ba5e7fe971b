package dev.mnistlab.search;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mnistlab.YamlFiles;
import java.util.Comparator;
import java.util.DoubleSummaryStatistics;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/** The results table of a search and its best spec written as a preset. */
final class SearchResults {

    /** A trial's validation score per rung and, for finalists, test accuracies per seed. */
    record Row(Candidate candidate, Map<Integer, Double> scores, List<List<Double>> tests) {}

    private final Search.Settings settings;
    private final List<Integer> rungs;
    private final List<Row> rows;
    private final Candidate best;

    SearchResults(Search.Settings settings, List<Integer> rungs, List<Row> rows, Candidate best) {
        this.settings = settings;
        this.rungs = rungs;
        this.rows = rows.stream().sorted(Comparator.comparingInt((Row r) -> -r.scores().size())
                .thenComparingDouble(r -> -r.scores().getOrDefault(r.scores().size() - 1, Double.NEGATIVE_INFINITY))
                .thenComparingInt(r -> r.candidate().id())).toList();
        this.best = best;
    }

    String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "# Search under %,d parameters%n%n", settings.budget()));
        int last = best.lastEpochs();
        sb.append(String.format(Locale.ROOT, "%d trials drawn with seed %d; successive halving (1/%d kept per rung) "
                + "on a validation set of the last %,d training images. Validation columns: mean accuracy over the "
                + "last %d epochs reached (fewer at the first rungs). Only the finalists saw the test set, after "
                + "every choice was made: trained on the whole training set, %d seeds, last %d epochs.%n%n",
                settings.trials(), settings.seed(), settings.eta(), settings.validation(), last, settings.seeds(), last));
        sb.append("| trial | params | model and recipe |");
        rungs.forEach(r -> sb.append(" val @").append(r).append(" |"));
        sb.append(" test min / mean / max |\n|---|---:|---|");
        rungs.forEach(r -> sb.append("---:|"));
        sb.append("---|\n");
        for (Row row : rows) {
            sb.append(String.format(Locale.ROOT, "| %s%s | %,d | `%s` |", row.candidate().name(),
                    row.candidate() == best ? " (best)" : "", row.candidate().params(), row.candidate().choices()));
            for (int i = 0; i < rungs.size(); i++) {
                Double score = row.scores().get(i);
                sb.append(score == null ? " |" : score.isInfinite() ? " failed |" : String.format(Locale.ROOT, " %.2f |", score));
            }
            DoubleSummaryStatistics test = testStats(row);
            sb.append(test == null ? " |\n" : String.format(Locale.ROOT, " %.2f / %.2f / %.2f |%n",
                    test.getMin(), test.getAverage(), test.getMax()));
        }
        sb.append("\nModel and recipe: channels of the 3x3 convs before the pool (p: padded), T n: 1x1 transition to n channels, "
                + "channels after the pool, "
                + "dropout, schedule, peak lr, rotation, translation.\n");
        return sb.toString();
    }

    /** Test accuracies of the recipe's last epochs over all of a finalist's seeds; null for other trials. */
    static DoubleSummaryStatistics testStats(Row row) {
        if (row.tests() == null) {
            return null;
        }
        int last = row.candidate().lastEpochs();
        DoubleSummaryStatistics stats = row.tests().stream().filter(Objects::nonNull)
                .flatMap(a -> a.subList(Math.max(0, a.size() - last), a.size()).stream())
                .mapToDouble(Double::doubleValue).summaryStatistics();
        return stats.getCount() == 0 ? null : stats;
    }

    String bestPreset() {
        ObjectNode preset = best.experiment().deepCopy();
        String name = "search-" + settings.budget();
        preset.put("name", name);
        Row row = rows.stream().filter(r -> r.candidate() == best).findFirst().orElseThrow();
        DoubleSummaryStatistics test = testStats(row);
        preset.put("description", String.format(Locale.ROOT,
                "Found by mnistlab search --budget %d --trials %d --seed %d: %s, %,d params%s", settings.budget(),
                settings.trials(), settings.seed(), best.choices(), best.params(), test == null ? ""
                        : String.format(Locale.ROOT, "; test last-%d min/mean/max over %d seeds %.2f/%.2f/%.2f",
                                best.lastEpochs(), settings.seeds(), test.getMin(), test.getAverage(), test.getMax())));
        ObjectNode ordered = YamlFiles.MAPPER.createObjectNode();
        ordered.put("name", name);
        ordered.set("description", preset.get("description"));
        ordered.set("model", preset.get("model"));
        ordered.set("recipe", preset.get("recipe"));
        return YamlFiles.write(ordered);
    }
}
