package dev.mnistlab.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mnistlab.MnistlabException;
import dev.mnistlab.YamlFiles;
import dev.mnistlab.train.Experiment;
import dev.mnistlab.train.Recipe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JourneyTest {

    @Test
    void theShippedSeed001JourneyHasTheWriteUpsFourSteps() {
        Journey journey = Journey.load(Path.of("journeys/seed001.yaml"));
        assertThat(journey.name()).isEqualTo("seed001");
        assertThat(journey.steps()).extracting(s -> s.experiment().spec().trace().trainableParameters())
                .containsExactly(7_896L, 7_974L, 7_753L, 7_753L);
        assertThat(journey.steps()).extracting(Journey.Step::folder)
                .containsExactly("01-baseline", "02-batch-norm", "03-gap-and-augmentation", "04-step-lr");
        assertThat(new Journey.Step(5, "../Step 5/..", "", journey.steps().get(0).experiment(), null).folder()).isEqualTo("05-step-5");
        assertThat(journey.steps()).allSatisfy(s -> assertThat(s.target()).isNotBlank())
                .allSatisfy(s -> assertThat(s.experiment().recipe().epochs()).isEqualTo(15));
        Experiment preset = Experiment.preset("seed001");
        Experiment last = journey.steps().get(3).experiment();
        assertThat(last.spec().source()).isEqualTo(preset.spec().source());
        assertThat(tree(last.recipe())).isEqualTo(tree(preset.recipe()));
        Recipe gap = journey.steps().get(2).experiment().recipe();
        assertThat(gap.schedule().name()).isEqualTo("constant");
        assertThat(gap.schedule().stepSize()).isNull();
        assertThat(gap.optimizer().lr()).isEqualTo(0.05);
        assertThat(journey.steps().get(0).experiment().recipe().augment().rotation()).isZero();
    }

    @Test
    void overridesMergeIntoBlocksButANewNameReplacesTheBlock() {
        Recipe base = Experiment.preset("seed001").recipe();
        Recipe r = Journey.override(base, YamlFiles.MAPPER.valueToTree(java.util.Map.of(
                "epochs", 3, "optimizer", java.util.Map.of("lr", 0.1),
                "schedule", java.util.Map.of("name", "multistep", "milestones", List.of(2)))), "test");
        assertThat(r.epochs()).isEqualTo(3);
        assertThat(r.optimizer().lr()).isEqualTo(0.1);
        assertThat(r.optimizer().momentum()).isEqualTo(0.9);
        assertThat(r.schedule().name()).isEqualTo("multistep");
        assertThat(r.schedule().stepSize()).isNull();
        assertThat(r.augment().rotation()).isEqualTo(7);
        assertThatThrownBy(() -> Journey.override(base, YamlFiles.MAPPER.valueToTree(java.util.Map.of("epoch", 3)), "j.yaml step 1"))
                .isInstanceOf(MnistlabException.class).hasMessageContaining("j.yaml step 1").hasMessageContaining("epoch");
    }

    @Test
    void specAndRecipeFilesAreFoundBesideTheJourney(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("net.yaml"), "layers: [conv: 10, gap]\n");
        Files.writeString(dir.resolve("r.yaml"), "epochs: 2\noptimizer: {lr: 0.2}\n");
        Path file = dir.resolve("j.yaml");
        Files.writeString(file, "steps:\n  - {name: tiny, target: small, spec: net.yaml, recipe: r.yaml, overrides: {seed: 7}}\n");
        Journey journey = Journey.load(file);
        assertThat(journey.name()).isEqualTo("j");
        Experiment e = journey.steps().get(0).experiment();
        assertThat(e.spec().trace().trainableParameters()).isEqualTo(90);
        assertThat(e.recipe().epochs()).isEqualTo(2);
        assertThat(e.recipe().optimizer().lr()).isEqualTo(0.2);
        assertThat(e.recipe().seed()).isEqualTo(7);
        assertThat(e.description()).isEqualTo("small");
    }

    @Test
    void mistakesAreOneLineNamingTheStep(@TempDir Path dir) throws IOException {
        assertThat(error(dir, "name: x\n")).contains("non-empty 'steps:' list");
        assertThat(error(dir, "steps:\n  - {name: a, preset: seed001, model: {layers: [gap]}}\n"))
                .contains("step 1 (a)").contains("exactly one of");
        assertThat(error(dir, "steps:\n  - {name: a, preset: seed001}\n  - {name: b, preset: seed001, recipes: {}}\n"))
                .contains("step 2").contains("unknown key 'recipes'");
        assertThat(error(dir, "steps:\n  - {target: t, preset: seed001}\n")).contains("step 1").contains("'name:'");
        assertThat(error(dir, "steps:\n  - {name: a, model: {layers: [conv: 10]}}\n")).contains("step 1 (a)").contains("10 outputs");
        assertThat(error(dir, "steps:\n  - {name: a, spec: missing.yaml}\n")).contains("missing.yaml: no such file");
        // a step's name becomes its run folder: "01-" + a name without letters was "01-", and a journey's the default folder
        assertThat(error(dir, "steps:\n  - {name: \"../..\", preset: seed001}\n"))
                .isEqualTo(dir.resolve("bad.yaml") + " step 1: the name '../..' has no letter or digit to name a folder after; "
                        + "use a name such as 'my-model'");
        assertThat(error(dir, "name: \"/\"\nsteps:\n  - {name: a, preset: seed001}\n")).contains("the name '/' has no letter");
    }

    @Test
    void aStepCarriesWhatTheWriteUpReportedAndTheJournalShowsItBesideOurs(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("j.yaml");
        Files.writeString(file, "steps:\n  - {name: a, preset: seed001, reported: {params: 7753, train: 99.1, test: 99.47}}\n"
                + "  - {name: b, preset: seed001}\n");
        Journey journey = Journey.load(file);
        assertThat(journey.steps().get(0).reported()).isEqualTo(new Reported(7753, 99.1, 99.47, null));
        assertThat(journey.steps().get(1).reported()).isNull();
        assertThat(journey.withEpochs(2).steps().get(0).reported()).isEqualTo(journey.steps().get(0).reported());

        RunData run = RunData.load(SyntheticRun.write(dir.resolve("run"), "seed001", 0.0));
        List<Comparison.Entry> entries = List.of(
                new Comparison.Entry("1. a", "t", run, journey.steps().get(0).reported()),
                new Comparison.Entry("2. b", "t", run, null));
        assertThat(Comparison.header(entries)).containsSequence("Target", "Write-up reported", "Params");
        List<List<String>> rows = Comparison.rows(entries);
        double best = dev.mnistlab.train.EpochResult.best(run.epochs()).testAccuracy();
        assertThat(rows.get(0).get(2)).isEqualTo("7,753 params, train 99.10%, test 99.47%");
        assertThat(rows.get(0).get(rows.get(0).size() - 1)).startsWith(String.format(java.util.Locale.ROOT,
                "vs the write-up: params %+,d, best test %+.2f pp", run.params() - 7753, best - 99.47));
        assertThat(rows.get(1).get(2)).isEqualTo("-");
        // runs compared without a write-up keep the table they had
        assertThat(Comparison.header(List.of(new Comparison.Entry("r", "", run)))).doesNotContain("Write-up reported");
    }

    @Test
    void aBadReportedValueIsOneLineNamingTheStep(@TempDir Path dir) throws IOException {
        assertThat(error(dir, "steps:\n  - {name: a, preset: seed001, reported: {test: 199}}\n"))
                .contains("step 1 (a)").contains("reported test is an accuracy in percent");
        assertThat(error(dir, "steps:\n  - {name: a, preset: seed001, reported: {params: 7.5}}\n"))
                .contains("reported params must be a whole number");
        assertThat(error(dir, "steps:\n  - {name: a, preset: seed001, reported: {acc: 99}}\n"))
                .contains("unknown key 'acc'");
        assertThat(error(dir, "steps:\n  - {name: a, preset: seed001, reported: 99.4}\n"))
                .contains("reported is a map");
    }

    private static Object tree(Recipe recipe) {
        return YamlFiles.MAPPER.valueToTree(recipe);
    }

    private static String error(Path dir, String yaml) throws IOException {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, yaml);
        try {
            Journey.load(file);
        } catch (MnistlabException e) {
            assertThat(e.getMessage()).doesNotContain("\n");
            return e.getMessage();
        }
        throw new AssertionError("no error for " + yaml);
    }
}
