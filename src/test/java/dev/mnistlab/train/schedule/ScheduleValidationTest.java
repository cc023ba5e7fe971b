package dev.mnistlab.train.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.mnistlab.MnistlabException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScheduleValidationTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private static ScheduleConfig parse(String yaml) throws Exception {
        return YAML.readValue(yaml, ScheduleConfig.class);
    }

    private static Schedule create(String yaml) throws Exception {
        return Schedules.create(parse(yaml), 0.1, 10, 15);
    }

    @Test
    void readsEverySnakeCaseKey() throws Exception {
        ScheduleConfig cfg = parse("""
                name: onecycle
                step_size: 3
                gamma: 0.5
                milestones: [2, 4]
                max_lr: 0.2
                pct_start: 0.25
                div_factor: 20
                final_div_factor: 1000
                anneal: linear
                three_phase: true
                cycle_momentum: false
                base_momentum: 0.8
                max_momentum: 0.9
                """);
        assertThat(cfg).isEqualTo(new ScheduleConfig("onecycle", 3, 0.5, List.of(2, 4), 0.2, 0.25, 20.0, 1000.0,
                "linear", true, false, 0.8, 0.9));
    }

    @Test
    void rejectsUnknownKeys() {
        assertThatThrownBy(() -> parse("{name: step, stepsize: 8}"))
                .isInstanceOf(UnrecognizedPropertyException.class)
                .hasMessageContaining("stepsize");
    }

    @Test
    void constantIsTheDefault() {
        assertThat(Schedules.create(ScheduleConfig.constant(), 0.05, 10, 3).lr(29)).isEqualTo(0.05);
        assertThat(Schedules.create(null, 0.05, 10, 3).lr(0)).isEqualTo(0.05);
    }

    @Test
    void acceptsAliasAndCase() throws Exception {
        assertThat(create("{name: StepLR, step_size: 1}").lr(10)).isCloseTo(0.01, org.assertj.core.data.Offset.offset(1e-15));
    }

    @Test
    void oneCycleMaxLrDefaultsToBaseLr() throws Exception {
        Schedule s = Schedules.create(parse("name: onecycle"), 0.2, 10, 15);
        assertThat(s.lr(0)).isCloseTo(0.2 / 25, org.assertj.core.data.Offset.offset(1e-15));
        assertThat(s.lr(44)).isEqualTo(0.2); // end of warm-up: 0.3 * 150 - 1
    }

    @Test
    void oneCycleWithoutMomentumCyclingKeepsOptimizerMomentum() throws Exception {
        assertThat(create("{name: onecycle, cycle_momentum: false}").momentum(0, 0.9)).isEqualTo(0.9);
    }

    @Test
    void oneCycleRefusesStepsBeyondTheCycle() throws Exception {
        Schedule s = create("name: onecycle");
        assertThatThrownBy(() -> s.lr(150)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "name: cosine                                   | recipe schedule.name 'cosine' is unknown; use one of constant, step (alias steplr), multistep, onecycle",
        "gamma: 0.1                                     | recipe schedule.name is missing; use one of constant, step",
        "name: step                                     | recipe schedule.step_size is required for schedule 'step' (e.g. step_size: 8)",
        "{name: step, step_size: 0}                     | recipe schedule.step_size must be >= 1 (got 0)",
        "{name: step, step_size: 8, gamma: 0}           | recipe schedule.gamma must be > 0 (got 0.0)",
        "{name: step, step_size: 8, gamma: -0.5}        | recipe schedule.gamma must be > 0 (got -0.5)",
        "{name: step, step_size: 8, milestones: [3]}    | recipe schedule.milestones does not apply to schedule 'step'; remove it (it takes gamma, step_size)",
        "{name: constant, gamma: 0.1}                   | recipe schedule.gamma does not apply to schedule 'constant'; remove it",
        "name: multistep                                | recipe schedule.milestones is required for schedule 'multistep'",
        "{name: multistep, milestones: []}              | recipe schedule.milestones must list at least one epoch",
        "{name: multistep, milestones: [10, 5]}         | recipe schedule.milestones must be positive and strictly increasing (got [10, 5])",
        "{name: multistep, milestones: [5, 5]}          | recipe schedule.milestones must be positive and strictly increasing (got [5, 5])",
        "{name: multistep, milestones: [0, 5]}          | recipe schedule.milestones must be positive and strictly increasing (got [0, 5])",
        "{name: onecycle, max_lr: 0}                    | recipe schedule.max_lr must be > 0 (got 0.0)",
        "{name: onecycle, pct_start: 0}                 | recipe schedule.pct_start must be strictly between 0 and 1 (got 0.0)",
        "{name: onecycle, pct_start: 1.0}               | recipe schedule.pct_start must be strictly between 0 and 1 (got 1.0)",
        "{name: onecycle, pct_start: 0.01}              | recipe schedule.pct_start 0.01 makes the warm-up end at step 0 of 100 total steps",
        "{name: onecycle, div_factor: -1}               | recipe schedule.div_factor must be > 0 (got -1.0)",
        "{name: onecycle, final_div_factor: 0}          | recipe schedule.final_div_factor must be > 0 (got 0.0)",
        "{name: onecycle, anneal: cosine}               | recipe schedule.anneal must be 'cos' or 'linear' (got 'cosine')",
        "{name: onecycle, base_momentum: 1.5}           | recipe schedule.base_momentum must be between 0 and 1 (got 1.5)",
        "{name: onecycle, base_momentum: 0.99}          | recipe schedule.base_momentum (0.99) must not exceed max_momentum (0.95)",
    })
    void explainsBadSettings(String yaml, String message) throws Exception {
        ScheduleConfig cfg = parse(yaml);
        // 10 epochs x 10 steps so that pct_start 0.01 lands the warm-up end exactly on step 0.
        assertThatThrownBy(() -> Schedules.create(cfg, 0.1, 10, 10))
                .isInstanceOf(MnistlabException.class)
                .hasMessageStartingWith(message)
                .hasMessageNotContaining("\n");
    }
}
