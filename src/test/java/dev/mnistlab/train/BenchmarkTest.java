package dev.mnistlab.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mnistlab.data.MnistData;
import dev.mnistlab.data.MnistSource;
import dev.mnistlab.data.Split;
import org.junit.jupiter.api.Test;

/** bench times its evaluation over the test set several times over: one pass is too short to time on a drifting machine. */
class BenchmarkTest {

    @Test
    void aRepeatedSplitIsTheSplitAgainAndAgain() {
        byte[] pixels = new byte[2 * 4];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 30);
        }
        Split two = new Split("test", pixels, new byte[] {3, 7}, 2, 2, 2);

        Split six = Benchmark.repeated(two, 3);

        assertThat(six.count()).isEqualTo(6);
        assertThat(six.name()).isEqualTo("test");
        for (int image = 0; image < 6; image++) {
            assertThat(six.label(image)).isEqualTo(two.label(image % 2));
            for (int p = 0; p < 4; p++) {
                assertThat(six.pixel(image, p)).isEqualTo(two.pixel(image % 2, p));
            }
        }
    }

    @Test
    void aMeasurementRunsOnTheRepeatedTestSet() {
        MnistData data = MnistSource.load(null, s -> { });
        Experiment tiny = Experiment.preset("frontier-2k");

        Benchmark.Measurement m = Benchmark.run(tiny, data, 256);

        assertThat(m.trainableParameters()).isEqualTo(1960);
        assertThat(m.trainImagesPerSecond()).isPositive();
        assertThat(m.evalImagesPerSecond()).isPositive();
        assertThat(m.secondsPerEpoch()).isEqualTo(60_000 / m.trainImagesPerSecond());
    }
}
