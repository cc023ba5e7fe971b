package dev.mnistlab.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mnistlab.MnistlabException;
import dev.mnistlab.train.Experiment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SearchSpaceTest {

    @Test
    void everyDrawnModelFitsTheBudgetAndUsesMostOfIt() {
        SearchSpace space = SearchSpace.defaults();
        SplittableRandom random = new SplittableRandom(7);
        for (int id = 1; id <= 30; id++) {
            Candidate c = space.sample(random, id, 4000);
            assertThat(c.params()).isBetween(2800L, 4000L);
            // the drawn experiment is a valid preset whose count agrees with the candidate's
            Experiment e = Experiment.of(c.experiment(), "test", "t");
            assertThat(e.spec().trace().trainableParameters()).isEqualTo(c.params());
            assertThat(c.choices()).contains(" pool ");
        }
    }

    @Test
    void separableTrialsUseDepthwiseThenPointwiseUnitsAfterAPlainStem(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("space.yaml");
        Files.writeString(file, "separable: [true]\nchannels: [8, 16, 24]\ntransition: [0]\npadding_before_pool: [0]\n");
        SearchSpace space = SearchSpace.file(file);
        SplittableRandom random = new SplittableRandom(5);
        for (int id = 1; id <= 10; id++) {
            Candidate c = space.sample(random, id, 4000);
            assertThat(c.params()).isBetween(2800L, 4000L);
            assertThat(c.choices()).contains(" sep ");
            var layers = c.experiment().path("model").path("layers");
            assertThat(layers.get(0).path("block").isInt()).as("the stem is a plain 3x3 block").isTrue();
            assertThat(layers.get(1).path("conv").path("groups").asInt()).isEqualTo(layers.get(0).path("block").asInt());
            assertThat(layers.get(2).path("block").path("kernel").asInt()).isEqualTo(1);
            Experiment.of(c.experiment(), "test", "t").spec().trace();
        }
    }

    @Test
    void theSameSeedDrawsTheSameTrials() {
        SearchSpace space = SearchSpace.defaults();
        List<String> a = draw(space, 3);
        assertThat(draw(space, 3)).isEqualTo(a);
        assertThat(draw(space, 4)).isNotEqualTo(a);
    }

    private static List<String> draw(SearchSpace space, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        return IntStream.rangeClosed(1, 5).mapToObj(id -> space.sample(random, id, 6000).yaml()).toList();
    }

    @Test
    void aBudgetNothingFitsIsRefusedWithWhatToChange() {
        assertThatThrownBy(() -> SearchSpace.defaults().sample(new SplittableRandom(1), 1, 100))
                .isInstanceOf(MnistlabException.class)
                .hasMessageContaining("no model in the search space fits a budget of 100");
    }

    @Test
    void aSpaceFileWithAnUnknownKeyNamesIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("space.yaml");
        Files.writeString(file, "channels: [8, 16]\nkernels: [3, 5]\n");
        assertThatThrownBy(() -> SearchSpace.file(file)).isInstanceOf(MnistlabException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("unknown key 'kernels'");
        Files.writeString(file, "schedule: [cosine]\n");
        assertThatThrownBy(() -> SearchSpace.file(file)).hasMessageContaining("'cosine' is not step or onecycle");
    }

    @Test
    void rungsGrowByEtaAndEndAtTheFullEpochs() {
        assertThat(Search.rungs(2, 3, 15)).containsExactly(2, 6, 15);
        assertThat(Search.rungs(1, 2, 3)).containsExactly(1, 2, 3);
        assertThat(Search.rungs(15, 3, 15)).containsExactly(15);
    }
}
