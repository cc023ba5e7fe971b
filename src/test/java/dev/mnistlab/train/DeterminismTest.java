package dev.mnistlab.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mnistlab.MnistlabException;
import dev.mnistlab.YamlFiles;
import dev.mnistlab.data.MnistData;
import dev.mnistlab.data.MnistSource;
import dev.mnistlab.data.Split;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeterminismTest {

    @Test
    void sameSeedSameThreadsGivesIdenticalMetrics(@TempDir Path dir) throws IOException {
        MnistData data = small(MnistSource.load(null, s -> { }));
        assertThat(metricsOf(train(data, 7, dir.resolve("a")))).isEqualTo(metricsOf(train(data, 7, dir.resolve("b"))));
        assertThat(metricsOf(train(data, 8, dir.resolve("c")))).isNotEqualTo(metricsOf(dir.resolve("a")));
    }

    @Test
    void imagesOfAnotherSizeThanTheSpecExpectsAreRefusedBeforeTraining(@TempDir Path dir) {
        Split tiny = new Split("train", new byte[4 * 16 * 16], new byte[4], 4, 16, 16);
        MnistData data = new MnistData(tiny, tiny, dir);
        Experiment e = Experiment.preset("seed001");
        RunFolder folder = RunFolder.create(dir.resolve("run"), "x", false);
        assertThatThrownBy(() -> new Training(e, data, folder).run())
                .isInstanceOf(MnistlabException.class).hasMessageContaining("images are 16x16")
                .hasMessageContaining("expects input 1x28x28");
    }

    @Test
    void aHardBudgetRefusesAnOversizedModel(@TempDir Path dir) {
        Experiment preset = Experiment.preset("seed003");
        Experiment e = preset.withRecipe(preset.recipe().withConstraints(preset.recipe().constraints().withHardBudget(true)));
        MnistData data = new MnistData(new Split("train", new byte[784], new byte[1], 1, 28, 28),
                new Split("test", new byte[784], new byte[1], 1, 28, 28), dir);
        RunFolder folder = RunFolder.create(dir.resolve("run"), "x", false);
        assertThatThrownBy(() -> new Training(e, data, folder).run())
                .hasMessageContaining("8,000 trainable parameters, over the hard budget of fewer than 8,000");
    }

    @Test
    void aDivergingLossStopsAtOnceNamingEpochBatchAndLrAndKeepsTheCheckpoint(@TempDir Path dir) throws Exception {
        MnistData data = small(MnistSource.load(null, s -> { }));
        Experiment preset = Experiment.preset("seed001");
        // a sane first epoch, then a learning rate no network survives
        Experiment e = preset.withRecipe(preset.recipe().withEpochs(3).withSchedule(
                YamlFiles.bind(YamlFiles.MAPPER.readTree("{name: multistep, milestones: [1], gamma: 1.0e12}"),
                        dev.mnistlab.train.schedule.ScheduleConfig.class, "test")));
        RunFolder folder = RunFolder.create(dir.resolve("run"), "x", false);
        long producersBefore = batchProducers();
        assertThatThrownBy(() -> new Training(e, data, folder).run())
                .isInstanceOf(MnistlabException.class)
                .hasMessageMatching("training diverged: the loss became (NaN|Infinity) at epoch 2, batch \\d+ \\(lr 5\\.000e\\+10\\); "
                        + "the checkpoint after epoch 1 stays in .*; lower the learning rate");
        assertThat(Checkpoint.load(folder).epoch()).isEqualTo(1);
        assertThat(Files.readAllLines(folder.file(RunFolder.METRICS))).hasSize(2);
        // the epoch left mid-way stopped its batch producer (it used to wait forever, one thread per failure)
        for (int i = 0; i < 200 && batchProducers() > producersBefore; i++) {
            Thread.sleep(50);
        }
        assertThat(batchProducers()).isEqualTo(producersBefore);
    }

    private static long batchProducers() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("batches-train")).count();
    }

    private static MnistData small(MnistData data) {
        return new MnistData(data.train().first(1500), data.test().first(1000), data.directory());
    }

    private static Path train(MnistData data, long seed, Path out) {
        Experiment preset = Experiment.preset("seed003");
        Experiment e = preset.withRecipe(preset.recipe().withEpochs(2).withSeed(seed));
        new Training(e, data, RunFolder.create(out, "x", false)).run();
        return out;
    }

    private static List<String> metricsOf(Path run) throws IOException {
        return Files.readAllLines(run.resolve(RunFolder.METRICS)).stream()
                .map(line -> line.substring(0, line.lastIndexOf(','))).toList();
    }
}
