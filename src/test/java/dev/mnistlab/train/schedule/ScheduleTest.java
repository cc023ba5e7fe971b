package dev.mnistlab.train.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every step of every schedule against traces recorded from the real PyTorch schedulers
 * (torch.optim.lr_scheduler, Debian python3-torch; the version is in each CSV's first line).
 * Regenerate with {@code /usr/bin/python3 src/test/python/schedule_reference.py}; the cases there and the
 * YAML here must describe the same scheduler.
 */
class ScheduleTest {

    // Same shape as the script: SGD(lr=0.1, momentum=0.9), 15 epochs of 10 batches.
    private static final double BASE_LR = 0.1;
    private static final double SGD_MOMENTUM = 0.9;
    private static final int STEPS_PER_EPOCH = 10;
    private static final int EPOCHS = 15;
    private static final double RELATIVE = 1e-9;

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("constant", "name: constant"),
                Arguments.of("step", "{name: step, step_size: 8, gamma: 0.1}"),
                Arguments.of("multistep", "{name: multistep, milestones: [5, 10], gamma: 0.1}"),
                Arguments.of("onecycle", "{name: onecycle, max_lr: 0.1}"),
                Arguments.of("onecycle_linear",
                        "{name: onecycle, max_lr: 0.1, anneal: linear, pct_start: 0.2, div_factor: 10, final_div_factor: 100}"),
                Arguments.of("onecycle_three_phase", "{name: onecycle, max_lr: 0.1, three_phase: true}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorchAtEveryStep(String reference, String yaml) throws IOException {
        ObjectMapper mapper = new ObjectMapper(new YAMLFactory())
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        Schedule schedule = Schedules.create(mapper.readValue(yaml, ScheduleConfig.class),
                BASE_LR, STEPS_PER_EPOCH, EPOCHS);

        List<double[]> rows = readReference(reference);
        assertThat(rows).hasSize(STEPS_PER_EPOCH * EPOCHS);
        for (double[] row : rows) {
            long step = (long) row[0];
            assertClose(schedule.lr(step), row[1], reference + " lr at step " + step);
            assertClose(schedule.momentum(step, SGD_MOMENTUM), row[2], reference + " momentum at step " + step);
        }
    }

    private static void assertClose(double actual, double expected, String what) {
        assertThat(Math.abs(actual - expected))
                .as("%s: expected %s, got %s", what, expected, actual)
                .isLessThanOrEqualTo(RELATIVE * Math.abs(expected));
    }

    /** Rows of (step, lr, momentum); '#' lines record provenance. */
    private static List<double[]> readReference(String name) throws IOException {
        String resource = "/schedule/" + name + ".csv";
        try (InputStream in = ScheduleTest.class.getResourceAsStream(resource)) {
            assertThat(in).as("test resource %s", resource).isNotNull();
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            List<double[]> rows = new ArrayList<>();
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.isBlank() || line.startsWith("#") || line.startsWith("step,")) {
                    continue;
                }
                String[] f = line.split(",");
                rows.add(new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2])});
            }
            return rows;
        }
    }
}
