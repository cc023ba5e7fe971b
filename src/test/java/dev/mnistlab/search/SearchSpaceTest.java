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

    /**
     * Issue #20 added dimensions at their current behaviour: the default space and search/compact.yaml draw the
     * very trials they drew before (fingerprints of the trials' YAML and choices, taken before the change).
     */
    @Test
    void spacesWithoutTheNewDimensionsDrawTheTrialsTheyDrewBefore() throws Exception {
        assertThat(fingerprint(SearchSpace.defaults(), 3, 6000)).isEqualTo("bde09a2a5942b328");
        assertThat(fingerprint(SearchSpace.file(Path.of("search/compact.yaml")), 11, 4000)).isEqualTo("4b863a7131aceca9");
    }

    /** search/levers.yaml draws every new option, each trial a valid preset within the budget. */
    @Test
    void theLeversSpaceDrawsAveragingLeakyReluFiveByFiveDepthwiseAndBatchNormWithoutAffine() {
        SearchSpace space = SearchSpace.file(Path.of("search/levers.yaml"));
        SplittableRandom random = new SplittableRandom(2);
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int id = 1; id <= 40; id++) {
            Candidate c = space.sample(random, id, 4000);
            Experiment e = Experiment.of(c.experiment(), "test", "t");
            assertThat(e.spec().trace().trainableParameters()).isEqualTo(c.params()).isBetween(3200L, 4000L);
            var layers = e.spec().layers();
            if (layers.stream().anyMatch(l -> l.groups() > 1 && l.kernel() == 5)) {
                seen.add("dw5");
                assertThat(c.choices()).contains(" dw5");
            }
            if (layers.stream().anyMatch(l -> l.kind() == dev.mnistlab.model.Layer.Kind.LEAKY_RELU)) {
                seen.add("leaky");
                assertThat(c.choices()).contains(" leaky");
            }
            if (layers.stream().anyMatch(l -> l.kind() == dev.mnistlab.model.Layer.Kind.BATCHNORM && !l.affine())) {
                seen.add("noaffine");
                assertThat(c.choices()).contains(" noaffine");
            }
            seen.add(e.recipe().average().kind());
            if (e.recipe().average().kind().equals("swa")) {
                assertThat(e.recipe().average().startEpoch()).isEqualTo(11);
            }
        }
        assertThat(seen).contains("dw5", "leaky", "noaffine", "none", "ema", "swa");
        assertThat(space.toYaml()).contains("average:\n- none\n- ema\n- swa\n").contains("bn_affine:\n- true\n- false\n");
    }

    /** The new dimensions at their current behaviour are not written, so a search started before them continues. */
    @Test
    void theNewDimensionsAtTheirCurrentBehaviourAreLeftOutOfTheWrittenSpace(@TempDir Path dir) throws Exception {
        SearchSpace space = SearchSpace.defaults();
        assertThat(space.average()).containsExactly("none");
        assertThat(space.depthwiseKernel()).containsExactly(3);
        assertThat(space.toYaml()).doesNotContain("average").doesNotContain("activation").doesNotContain("depthwise_kernel")
                .doesNotContain("bn_affine").endsWith("min_fill: 0.7\n");
        assertThat(space.withDepthwiseKernel(List.of(5)).toYaml()).endsWith("min_fill: 0.7\ndepthwise_kernel:\n- 5\n");
        Path file = dir.resolve("space.yaml");
        Files.writeString(file, "depthwise_kernel: [4]\n");
        assertThatThrownBy(() -> SearchSpace.file(file)).isInstanceOf(MnistlabException.class)
                .hasMessage(file + " depthwise_kernel: 4 is not an odd kernel of 3 or more (3, 5, 7)");
        Files.writeString(file, "activation: [tanh]\n");
        assertThatThrownBy(() -> SearchSpace.file(file)).hasMessage(file + " activation: 'tanh' is not relu or leaky_relu");
        Files.writeString(file, "average: []\n");
        assertThatThrownBy(() -> SearchSpace.file(file)).hasMessageContaining("every list needs at least one value");
    }

    private static String fingerprint(SearchSpace space, long seed, long budget) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        for (int id = 1; id <= 12; id++) {
            Candidate c = space.sample(random, id, budget);
            sha.update((c.yaml() + c.choices() + c.params()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return java.util.HexFormat.of().formatHex(sha.digest()).substring(0, 16);
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
