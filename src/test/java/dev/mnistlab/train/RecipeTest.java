package dev.mnistlab.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mnistlab.MnistlabException;
import dev.mnistlab.model.YamlFiles;
import dev.mnistlab.train.schedule.Schedule;
import dev.mnistlab.train.schedule.Schedules;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecipeTest {

    static Recipe recipe(String yaml) throws IOException {
        return Experiment.recipe(YamlFiles.read(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "r.yaml"),
                "r.yaml");
    }

    @Test
    void readsSnakeCaseKeysAndKeepsDefaults() throws IOException {
        Recipe r = recipe("batch_size: 64\noptimizer: {lr: 0.05, weight_decay: 0.0001}\n"
                + "schedule: {name: step, step_size: 7}\naugment: {rotation: 5}\n");
        assertThat(r.batchSize).isEqualTo(64);
        assertThat(r.epochs).isEqualTo(15);
        assertThat(r.optimizer.lr).isEqualTo(0.05);
        assertThat(r.optimizer.momentum).isEqualTo(0.9);
        assertThat(r.optimizer.weightDecay).isEqualTo(0.0001);
        assertThat(r.augment.rotation()).isEqualTo(5);
        assertThat(r.normalize.mean()).isEqualTo(0.1307);
        assertThat(r.constraints.targetAccuracy).isEqualTo(99.40);
    }

    @Test
    void badValuesAreNamed() {
        assertThatThrownBy(() -> recipe("optimizer: {name: rmsprop}\n")).isInstanceOf(MnistlabException.class)
                .hasMessageContaining("unknown optimizer 'rmsprop'");
        assertThatThrownBy(() -> recipe("optimizer: {lr: 0}\n")).hasMessageContaining("optimizer.lr must be > 0");
        assertThatThrownBy(() -> recipe("epochs: 0\n")).hasMessageContaining("epochs must be >= 1");
        assertThatThrownBy(() -> recipe("batch_size: 0\n")).hasMessageContaining("batch_size must be >= 1");
        assertThatThrownBy(() -> recipe("epoch: 3\n")).hasMessageContaining("unknown key 'epoch'");
        assertThatThrownBy(() -> recipe("schedule: {name: cosine}\n")).hasMessageContaining("cosine");
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
            Schedule schedule = Schedules.create(r.schedule, r.optimizer.lr, 469, r.epochs);
            assertThat(schedule.lr(0)).isCloseTo(r.optimizer.lr / 25, org.assertj.core.data.Offset.offset(1e-12));
        }
        // settings wrong at any number of steps are still refused when the recipe is read
        assertThatThrownBy(() -> recipe("schedule: {name: onecycle, pct_start: 1.5}\n"))
                .hasMessageContaining("pct_start must be strictly between 0 and 1");
    }

    @Test
    void experimentYamlRoundTrips() {
        Experiment e = Experiment.preset("seed003");
        Experiment again = Experiment.of(readBack(e.toYaml()), "again", "x");
        assertThat(again.spec().trace().steps()).extracting(s -> s.out()).isEqualTo(e.spec().trace().steps().stream().map(s -> s.out()).toList());
        assertThat(again.spec().layers()).extracting(l -> l.kind() + "/" + l.rate()).isEqualTo(e.spec().layers().stream().map(l -> l.kind() + "/" + l.rate()).toList());
        assertThat(again.recipe().schedule).isEqualTo(e.recipe().schedule);
        assertThat(again.recipe().augment).isEqualTo(e.recipe().augment);
        assertThat(again.recipe().optimizer.lr).isEqualTo(e.recipe().optimizer.lr);
    }

    @Test
    void constraintLinesPassAndFail() {
        Recipe.Constraints c = new Recipe.Constraints();
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
