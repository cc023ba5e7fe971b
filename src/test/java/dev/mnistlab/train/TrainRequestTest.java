package dev.mnistlab.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mnistlab.MnistlabException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainRequestTest {

    @Test
    void aRequestReadsBackAsWritten(@TempDir Path dir) throws IOException {
        Experiment preset = Experiment.preset("seed002");
        Experiment experiment = preset.withRecipe(preset.recipe().withEpochs(4).withLr(0.03).withSeed(7)
                .withConstraints(preset.recipe().constraints().withLastEpochs(2)));
        TrainRequest request = TrainRequest.start(experiment, Path.of("runs/sweep/seed-7")).withResume(true)
                .withValidation(5000).withLimitTrain(20000).withStopAfter(3).withThreads(1).withDataDir(dir.resolve("mnist"));
        Path file = dir.resolve("seed-7.request.yaml");
        request.write(file);
        TrainRequest back = TrainRequest.read(file);

        // the spec's layers remember the file they were read from (for messages); all else is equal
        assertThat(back.withExperiment(experiment)).isEqualTo(request);
        assertThat(back.experiment().recipe()).isEqualTo(experiment.recipe());
        assertThat(back.experiment().spec().source()).isEqualTo(experiment.spec().source());
        assertThat(back.experiment().name()).isEqualTo("seed002");
        assertThat(back.experiment().toYaml()).isEqualTo(experiment.toYaml());
        assertThat(Files.readString(file)).startsWith("run: runs/sweep/seed-7\nresume: true\n")
                .contains("data_dir: " + dir.resolve("mnist") + "\n");

        TrainRequest plain = TrainRequest.start(experiment, dir.resolve("run"));
        plain.write(file);
        assertThat(TrainRequest.read(file).withExperiment(experiment)).isEqualTo(plain);
    }

    @Test
    void aBrokenRequestNamesTheFileAndKey(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.request.yaml");
        Files.writeString(file, "run: x\nresume: false\nthreds: 1\nexperiment: {layers: [conv: 10, gap]}\n");
        assertThatThrownBy(() -> TrainRequest.read(file)).isInstanceOf(MnistlabException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("unknown key 'threds'");
    }
}
