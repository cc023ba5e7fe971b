package dev.mnistlab.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mnistlab.MnistlabException;
import dev.mnistlab.YamlFiles;
import dev.mnistlab.train.schedule.Schedule;
import dev.mnistlab.train.schedule.Schedules;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RecipeTest {

    static Recipe recipe(String yaml) throws IOException {
        return Experiment.recipe(YamlFiles.read(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "r.yaml"),
                "r.yaml");
    }

    @Test
    void readsSnakeCaseKeysAndKeepsDefaults() throws IOException {
        Recipe r = recipe("batch_size: 64\noptimizer: {lr: 0.05, weight_decay: 0.0001}\n"
                + "schedule: {name: step, step_size: 7}\naugment: {rotation: 5}\n");
        assertThat(r.batchSize()).isEqualTo(64);
        assertThat(r.epochs()).isEqualTo(15);
        assertThat(r.optimizer().lr()).isEqualTo(0.05);
        assertThat(r.optimizer().momentum()).isEqualTo(0.9);
        assertThat(r.optimizer().weightDecay()).isEqualTo(0.0001);
        assertThat(r.augment().rotation()).isEqualTo(5);
        assertThat(r.normalize().mean()).isEqualTo(0.1307);
        assertThat(r.constraints().targetAccuracy()).isEqualTo(99.40);
    }

    @Test
    void aKeyLeftOutKeepsItsDefaultAlsoInsideOptimizerAndConstraints() throws IOException {
        assertThat(recipe("{}\n")).isEqualTo(Recipe.defaults());
        Recipe r = recipe("optimizer: {nesterov: true}\nconstraints: {last_epochs: 2}\n");
        assertThat(r).isEqualTo(Recipe.defaults().withOptimizer(Recipe.OptimizerSettings.defaults().withNesterov(true))
                .withConstraints(Recipe.Constraints.defaults().withLastEpochs(2)));
        // a schedule block is read as written: it does not inherit the default's name
        assertThatThrownBy(() -> recipe("schedule: {step_size: 3}\n")).hasMessageContaining("schedule.name is missing");
    }

    @Test
    void withMethodsReturnChangedCopiesAndLeaveTheOriginal() {
        Recipe base = Recipe.defaults();
        Recipe changed = base.withEpochs(5).withLr(0.05).withSeed(3).withBatchSize(64)
                .withConstraints(base.constraints().withMaxParams(4000));
        assertThat(base).isEqualTo(Recipe.defaults());
        assertThat(changed.epochs()).isEqualTo(5);
        assertThat(changed.optimizer()).isEqualTo(base.optimizer().withLr(0.05));
        assertThat(changed.seed()).isEqualTo(3);
        assertThat(changed.batchSize()).isEqualTo(64);
        assertThat(changed.constraints().maxParams()).isEqualTo(4000);
        assertThat(changed.constraints().lastEpochs()).isEqualTo(3);
    }

    /** experiment.yaml and run.yaml are compared across versions, so their keys and order must not move. */
    @Test
    void theRecordedYamlKeepsItsKeysInTheirOrder() {
        assertThat(YamlFiles.write(Recipe.defaults())).isEqualTo("""
                epochs: 15
                batch_size: 128
                seed: 1
                optimizer:
                  name: sgd
                  lr: 0.01
                  momentum: 0.9
                  weight_decay: 0.0
                  nesterov: false
                schedule:
                  name: constant
                  step_size: null
                  gamma: null
                  milestones: null
                  max_lr: null
                  pct_start: null
                  div_factor: null
                  final_div_factor: null
                  anneal: null
                  three_phase: null
                  cycle_momentum: null
                  base_momentum: null
                  max_momentum: null
                normalize:
                  mean: 0.1307
                  std: 0.3081
                augment:
                  rotation: 0.0
                  translate: 0.0
                  scale_min: 1.0
                  scale_max: 1.0
                  shear: 0.0
                  brightness: 0.0
                  contrast: 0.0
                  interpolation: bilinear
                constraints:
                  max_params: 8000
                  max_epochs: 15
                  target_accuracy: 99.4
                  last_epochs: 3
                  hard_budget: false
                average:
                  kind: none
                loss:
                  label_smoothing: 0.0
                """);
        assertThat(YamlFiles.write(RunInfo.start("/data", null, 500, 1, 1, 7753, "PyTorch 2.7.1", "2025-01-01T00:00Z")))
                .isEqualTo("""
                        data_dir: /data
                        train_limit: null
                        validation: 500
                        threads: 1
                        seed: 1
                        params: 7753
                        mnistlab: 0.1.0
                        djl: %s
                        engine: PyTorch 2.7.1
                        started: 2025-01-01T00:00Z
                        finished: null
                        status: running
                        """.formatted(ai.djl.engine.Engine.getDjlVersion()));
    }

    @Test
    void badValuesAreNamed() {
        assertThatThrownBy(() -> recipe("optimizer: {name: rmsprop}\n")).isInstanceOf(MnistlabException.class)
                .hasMessageContaining("unknown optimizer 'rmsprop'");
        assertThatThrownBy(() -> recipe("optimizer: {lr: 0}\n")).hasMessageContaining("optimizer.lr must be > 0");
        assertThatThrownBy(() -> recipe("epochs: 0\n")).hasMessageContaining("epochs must be >= 1");
        assertThatThrownBy(() -> recipe("batch_size: 0\n")).hasMessageContaining("batch_size must be >= 1");
        assertThatThrownBy(() -> recipe("epoch: 3\n")).hasMessageContaining("unknown key 'epoch'");
        assertThatThrownBy(() -> recipe("optimizer: {lrr: 1}\n")).hasMessageContaining("r.yaml optimizer.lrr: unknown key 'lrr'");
        assertThatThrownBy(() -> recipe("constraints: {last: 1}\n")).hasMessageContaining("constraints.last: unknown key");
        assertThatThrownBy(() -> recipe("schedule: {name: cosine}\n")).hasMessageContaining("cosine");
    }

    /** Issue #20's recipe keys: weight averaging and label smoothing, each bad value refused in one line naming the key. */
    @Test
    void averageAndLabelSmoothingAreReadAndTheirBadValuesNamed() throws IOException {
        assertThat(recipe("average: {kind: ema}\n").average()).isEqualTo(Averaging.ema(0.999));
        assertThat(recipe("average: {kind: ema, decay: 0.99}\n").average()).isEqualTo(new Averaging("ema", 0.99, null));
        assertThat(recipe("epochs: 15\naverage: {kind: swa, start_epoch: 12}\n").average()).isEqualTo(Averaging.swa(12));
        assertThat(recipe("loss: {label_smoothing: 0.1}\n").loss().labelSmoothing()).isEqualTo(0.1);
        assertThat(recipe("loss: {}\n").loss()).isEqualTo(Recipe.LossSettings.defaults());
        assertThat(Recipe.defaults().average().averages()).isFalse();
        assertThat(YamlFiles.write(Recipe.defaults().withAverage(Averaging.swa(3)))).contains("average:\n  kind: swa\n  start_epoch: 3\n");

        assertThatThrownBy(() -> recipe("average: {kind: polyak}\n")).isInstanceOf(MnistlabException.class)
                .hasMessage("r.yaml: average.kind 'polyak' is not none, ema or swa");
        assertThatThrownBy(() -> recipe("average: {kind: ema, decay: 1}\n"))
                .hasMessage("r.yaml: average.decay must be above 0 and below 1 (got 1.0)");
        assertThatThrownBy(() -> recipe("average: {kind: swa}\n"))
                .hasMessage("r.yaml: average kind swa needs start_epoch, the first epoch averaged (e.g. 11 of 15)");
        assertThatThrownBy(() -> recipe("epochs: 10\naverage: {kind: swa, start_epoch: 11}\n"))
                .hasMessage("r.yaml: average.start_epoch must be from 1 to the recipe's 10 epochs (got 11)");
        assertThatThrownBy(() -> recipe("average: {kind: swa, start_epoch: 5, decay: 0.9}\n"))
                .hasMessage("r.yaml: average.decay belongs to kind ema, not swa");
        assertThatThrownBy(() -> recipe("average: {decay: 0.9}\n")).hasMessage("r.yaml: average.decay belongs to kind ema, not none");
        assertThatThrownBy(() -> recipe("average: {kind: ema, start_epoch: 3}\n"))
                .hasMessage("r.yaml: average.start_epoch belongs to kind swa, not ema");
        assertThatThrownBy(() -> recipe("average: {kind: ema, every: 2}\n")).hasMessage("r.yaml average.every: unknown key 'every'");
        assertThatThrownBy(() -> recipe("loss: {label_smoothing: 1.0}\n"))
                .hasMessage("r.yaml: loss.label_smoothing must be at least 0 and below 1 (got 1.0)");
        assertThatThrownBy(() -> recipe("loss: {smoothing: 0.1}\n")).hasMessage("r.yaml loss.smoothing: unknown key 'smoothing'");
    }

    /**
     * pct_start x epochs = 1 puts OneCycle's warm-up end at step 0 only at one step per epoch; loading cannot
     * know the steps per epoch, so it must not assume one (469 on MNIST, where these recipes are fine).
     */
    @Test
    void oneCycleRecipesWhoseWarmUpEndsAfterOneEpochLoad() throws IOException {
        for (String yaml : List.of("epochs: 5\nschedule: {name: onecycle, pct_start: 0.2}\n",
                "epochs: 10\nschedule: {name: onecycle, pct_start: 0.1}\n",
                "epochs: 4\nschedule: {name: onecycle, pct_start: 0.25}\n")) {
            Recipe r = recipe(yaml);
            Schedule schedule = Schedules.create(r.schedule(), r.optimizer().lr(), 469, r.epochs());
            assertThat(schedule.lr(0)).isCloseTo(r.optimizer().lr() / 25, org.assertj.core.data.Offset.offset(1e-12));
        }
        // settings wrong at any number of steps are still refused when the recipe is read
        assertThatThrownBy(() -> recipe("schedule: {name: onecycle, pct_start: 1.5}\n"))
                .hasMessageContaining("pct_start must be strictly between 0 and 1");
    }

    /** A fraction where a count belongs was truncated: epochs: 1e9 trained until stopped, batch_size: 1.5 was 1. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "epochs: 1e9          | r.yaml epochs: must be a whole number (got 1.0E9)",
        "epochs: 2.5          | r.yaml epochs: must be a whole number (got 2.5)",
        "batch_size: 1.5      | r.yaml batch_size: must be a whole number (got 1.5)",
        "seed: 0.5            | r.yaml seed: must be a whole number (got 0.5)",
        "constraints: {max_epochs: 15.5} | r.yaml constraints.max_epochs: must be a whole number (got 15.5)",
        "epochs: many         | r.yaml epochs: must be a whole number (got many)"})
    void aFractionOrTextWhereACountBelongsIsRefused(String yaml, String message) {
        assertThatThrownBy(() -> recipe(yaml + "\n")).isInstanceOf(MnistlabException.class).hasMessage(message);
    }

    @Test
    void epochsAreCappedAtAThousand() throws IOException {
        assertThat(recipe("epochs: 1000\n").epochs()).isEqualTo(Recipe.MAX_EPOCHS);
        assertThatThrownBy(() -> recipe("epochs: 1001\n")).hasMessage("r.yaml: epochs must be at most 1000 (got 1001)");
        assertThatThrownBy(() -> recipe("epochs: 1000000000\n")).hasMessageContaining("epochs must be at most 1000");
    }

    /** max_params -1 with a hard budget refused every model after its run folder was made. */
    @Test
    void constraintsMustBeReachable() {
        assertThatThrownBy(() -> recipe("constraints: {max_params: -1, hard_budget: true}\n"))
                .hasMessage("r.yaml: constraints.max_params must be >= 1 (got -1)");
        assertThatThrownBy(() -> recipe("constraints: {max_params: 0}\n")).hasMessageContaining("max_params must be >= 1");
        assertThatThrownBy(() -> recipe("constraints: {max_epochs: 0}\n"))
                .hasMessage("r.yaml: constraints.max_epochs must be >= 1 (got 0)");
    }

    /** The epoch rule binds up front only when the recipe says its rules are hard; else the end-of-run check reports it. */
    @Test
    void moreEpochsThanTheConstraintsAllowAreRefusedOnlyUnderAHardBudget() throws IOException {
        assertThatThrownBy(() -> recipe("epochs: 20\nconstraints: {hard_budget: true}\n"))
                .hasMessage("r.yaml: epochs 20 is more than constraints.max_epochs 15 and hard_budget is true; train fewer "
                        + "epochs, or set hard_budget: false to train on and have the constraint check report FAIL");
        assertThat(recipe("epochs: 15\nconstraints: {hard_budget: true}\n").epochs()).isEqualTo(15);
        assertThat(recipe("epochs: 20\n").epochs()).isEqualTo(20);
        assertThatThrownBy(() -> Recipe.defaults().withEpochs(16)
                .withConstraints(Recipe.Constraints.defaults().withHardBudget(true)).validate("command line"))
                .hasMessageStartingWith("command line: epochs 16 is more than constraints.max_epochs 15");
    }

    @Test
    void experimentYamlRoundTrips() {
        Experiment e = Experiment.preset("seed003");
        Experiment again = Experiment.of(readBack(e.toYaml()), "again", "x");
        assertThat(again.spec().trace().steps()).extracting(s -> s.out()).isEqualTo(e.spec().trace().steps().stream().map(s -> s.out()).toList());
        assertThat(again.spec().layers()).extracting(l -> l.kind() + "/" + l.rate()).isEqualTo(e.spec().layers().stream().map(l -> l.kind() + "/" + l.rate()).toList());
        assertThat(again.recipe()).isEqualTo(e.recipe());
    }

    @Test
    void constraintLinesPassAndFail() {
        Recipe.Constraints c = Recipe.Constraints.defaults();
        List<EpochResult> epochs = List.of(
                new EpochResult(1, 0.1, 0.3, 90, 0.05, 98.0, 1),
                new EpochResult(2, 0.1, 0.1, 98, 0.02, 99.41, 1),
                new EpochResult(3, 0.1, 0.1, 98, 0.02, 99.40, 1),
                new EpochResult(4, 0.1, 0.1, 98, 0.02, 99.45, 1));
        List<ConstraintCheck.Line> lines = ConstraintCheck.check(7753, epochs, c);
        assertThat(lines).extracting(ConstraintCheck.Line::pass).containsExactly(true, true, true);
        assertThat(lines.get(2).toString()).startsWith("PASS").contains("99.41, 99.40, 99.45");
        assertThat(ConstraintCheck.check(8000, epochs.subList(0, 2), c)).extracting(ConstraintCheck.Line::pass)
                .containsExactly(false, true, false);
    }

    private static com.fasterxml.jackson.databind.JsonNode readBack(String yaml) {
        try {
            return YamlFiles.read(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "roundtrip");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
