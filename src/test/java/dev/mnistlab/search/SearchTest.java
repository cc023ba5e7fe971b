package dev.mnistlab.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mnistlab.YamlFiles;
import dev.mnistlab.train.EpochResult;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Trials and finalists are judged over their recipe's constraints.last_epochs, not a fixed 3. */
class SearchTest {

    private static EpochResult epoch(int n, double accuracy) {
        return new EpochResult(n, 0.01, 0.1, 98, 0.05, accuracy, 1);
    }

    private static Candidate judgedOnLast(int lastEpochs) {
        Candidate drawn = SearchSpace.defaults().sample(new SplittableRandom(1), 1, 4000);
        ObjectNode tree = drawn.experiment().deepCopy();
        ((ObjectNode) tree.get("recipe")).putObject("constraints").put("last_epochs", lastEpochs);
        return new Candidate(drawn.id(), tree, drawn.params());
    }

    @Test
    void aTrialScoresTheMeanOfItsRecipesLastEpochs() {
        List<EpochResult> metrics = List.of(epoch(1, 97.0), epoch(2, 98.0), epoch(3, 99.0), epoch(4, 99.5), epoch(5, 99.0));
        assertThat(Search.score(metrics, 5, 2)).isCloseTo(99.25, within(1e-9));
        assertThat(Search.score(metrics, 5, 3)).isCloseTo(99.1666666667, within(1e-9));
        assertThat(Search.score(metrics, 4, 2)).as("a rung reads the epochs it reached").isCloseTo(99.25, within(1e-9));
        assertThat(Search.score(metrics, 1, 3)).as("fewer epochs than last_epochs").isEqualTo(97.0);
        assertThat(judgedOnLast(2).lastEpochs()).isEqualTo(2);
        assertThat(SearchSpace.defaults().sample(new SplittableRandom(1), 1, 4000).lastEpochs()).isEqualTo(3);
    }

    @Test
    void finalistsAreReportedOverTheirRecipesLastEpochs() throws Exception {
        Candidate best = judgedOnLast(2);
        List<Double> seed1 = List.of(90.0, 99.0, 99.2, 99.4);
        List<Double> seed2 = List.of(91.0, 98.0, 99.6, 99.8);
        SearchResults.Row row = new SearchResults.Row(best, Map.of(0, 99.3), List.of(seed1, seed2));
        var stats = SearchResults.testStats(row);
        assertThat(stats.getCount()).isEqualTo(4);
        assertThat(stats.getMin()).isEqualTo(99.2);
        assertThat(stats.getMax()).isEqualTo(99.8);

        SearchResults results = new SearchResults(new Search.Settings(4000, 1, 1, 3, 2, 1, 2, 10000), List.of(15),
                List.of(row), best);
        assertThat(results.markdown()).contains("mean accuracy over the last 2 epochs reached")
                .contains("2 seeds, last 2 epochs").contains("99.20 / 99.50 / 99.80");
        assertThat(YamlFiles.MAPPER.readTree(results.bestPreset()).path("description").asText())
                .endsWith("; test last-2 min/mean/max over 2 seeds 99.20/99.50/99.80");
    }
}
