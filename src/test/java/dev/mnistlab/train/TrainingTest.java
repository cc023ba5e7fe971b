package dev.mnistlab.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mnistlab.MnistlabException;
import dev.mnistlab.data.MnistData;
import dev.mnistlab.data.MnistSource;
import dev.mnistlab.data.Split;
import dev.mnistlab.YamlFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The training loop as a library user drives it: its events, its files, and what it refuses. One thread each: DataParallel has its own tests. */
class TrainingTest {

    @Test
    void aListenerHearsEveryEpochAndBatchAndTheConsoleProgressPrintsTheUsualLines(@TempDir Path dir) {
        MnistData data = small(512, 500);
        Experiment e = Experiment.preset("seed003");
        e = e.withRecipe(e.recipe().withEpochs(2));
        List<String> events = new ArrayList<>();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Progress progress = new Progress(new PrintStream(log, true, StandardCharsets.UTF_8), false);
        TrainingListener recorder = new TrainingListener() {
            @Override
            public void epochStarted(int epoch, int epochs, int batches) {
                events.add("start " + epoch + "/" + epochs + " " + batches);
                progress.epochStarted(epoch, epochs, batches);
            }

            @Override
            public void batchDone(int batch, double runningLoss, double runningAccuracy) {
                events.add("batch " + batch);
                progress.batchDone(batch, runningLoss, runningAccuracy);
            }

            @Override
            public void epochDone(EpochResult result, Evaluation evaluation) {
                events.add("done " + result.epoch() + " " + evaluation.split() + " " + evaluation.total());
                progress.epochDone(result, evaluation);
            }
        };
        Training.Result result = new Training(e, data, RunFolder.create(dir.resolve("run"), "x", false)).onThreads(1)
                .reportingTo(recorder).run();

        assertThat(events).containsExactly("start 1/2 4", "batch 1", "batch 2", "batch 3", "batch 4", "done 1 test 500",
                "start 2/2 4", "batch 1", "batch 2", "batch 3", "batch 4", "done 2 test 500");
        assertThat(log.toString(StandardCharsets.UTF_8).lines().toList()).hasSize(4)
                .allMatch(line -> line.matches("Epoch \\d/2: Loss=\\d\\.\\d{4} Accuracy=\\d+\\.\\d\\d 4 batches in \\d+\\.\\d s \\(\\d+\\.\\d it/s\\)")
                        || line.matches("Test set: Average loss: \\d\\.\\d{4}, Accuracy: \\d+/500 \\(\\d+\\.\\d\\d%\\)"));
        assertThat(log.toString(StandardCharsets.UTF_8)).contains(result.finalEvaluation().line());
    }

    /** metrics.csv, summary.txt and the constraint line say "validation" when that is what was measured. */
    @Test
    void underValidationTheFilesNameTheValidationSplit(@TempDir Path dir) throws IOException {
        MnistData data = small(1200, 10).holdOut(400);
        Experiment e = Experiment.preset("seed003");
        e = e.withRecipe(e.recipe().withEpochs(1));
        RunFolder folder = RunFolder.create(dir.resolve("run"), "x", false);
        Training.Result result = new Training(e, data, folder).onThreads(1).run();

        assertThat(Files.readAllLines(folder.file(RunFolder.METRICS)).get(0))
                .isEqualTo("epoch,lr,train_loss,train_acc,val_loss,val_acc,seconds");
        assertThat(EpochResult.split(folder.dir())).isEqualTo("validation");
        assertThat(EpochResult.readAll(folder.dir())).extracting(EpochResult::epoch).containsExactly(1);
        assertThat(Files.readString(folder.file(RunFolder.SUMMARY)))
                .contains("Best validation accuracy: ").contains("Final validation accuracy: ")
                .contains("validation accuracy >= 99.40% in each of the last 3 epochs").doesNotContain("test accuracy");
        assertThat(result.checks().get(2).text()).startsWith("validation accuracy >= 99.40%");
        assertThat(result.finalEvaluation().line()).startsWith("Validation set: Average loss: ");
    }

    /** run.yaml's train_limit comes from the data: a smaller data set read whole is not "limited". */
    @Test
    void theTrainLimitIsWhatTheDataWasLimitedTo(@TempDir Path dir) throws IOException {
        MnistData whole = random(300, 100);
        Experiment e = Experiment.preset("seed003");
        e = e.withRecipe(e.recipe().withEpochs(1));
        RunFolder all = RunFolder.create(dir.resolve("all"), "x", false);
        new Training(e, whole, all).onThreads(1).run();
        assertThat(RunInfo.read(all).trainLimit()).isNull();

        RunFolder first = RunFolder.create(dir.resolve("first"), "x", false);
        new Training(e, whole.limitTrain(200), first).onThreads(1).run();
        assertThat(RunInfo.read(first).trainLimit()).isEqualTo(200);
        assertThat(whole.limitTrain(300)).isSameAs(whole);
    }

    /** A OneCycle recipe loads (see RecipeTest); the real steps per epoch decide, when training starts. */
    @Test
    void aOneCycleWarmUpEndingAtStepZeroOfTheRealStepsIsRefusedBeforeAnythingIsWritten(@TempDir Path dir) throws IOException {
        Experiment preset = Experiment.preset("seed003");
        Experiment e = preset.withRecipe(preset.recipe().withEpochs(5).withSchedule(YamlFiles.MAPPER.treeToValue(
                YamlFiles.MAPPER.readTree("{name: onecycle, pct_start: 0.2}"), dev.mnistlab.train.schedule.ScheduleConfig.class)));
        RunFolder folder = RunFolder.create(dir.resolve("run"), "x", false);
        // 100 images in batches of 128: one step per epoch, five in all
        assertThatThrownBy(() -> new Training(e, random(100, 10), folder).onThreads(1).run()).isInstanceOf(MnistlabException.class)
                .hasMessageContaining("pct_start 0.2 makes the warm-up end at step 0 of 5 total steps");
        try (var files = Files.list(folder.dir())) {
            assertThat(files).isEmpty();
        }
    }

    /** Adam's moments are in the checkpoint, so a paused and resumed Adam run equals an uninterrupted one. */
    @Test
    void anAdamRunResumesExactly(@TempDir Path dir) throws IOException {
        MnistData data = small(1500, 500);
        RunFolder straight = RunFolder.create(dir.resolve("straight"), "x", false);
        new Training(adam(), data, straight).onThreads(1).run();
        RunFolder paused = RunFolder.create(dir.resolve("paused"), "x", false);
        new Training(adam(), data, paused).onThreads(1).stoppingAfter(1).run();
        List<String> notes = new ArrayList<>();
        new Training(adam(), data, RunFolder.existing(paused.dir())).onThreads(1).resuming().reportingTo(new TrainingListener() {
            @Override
            public void note(String message) {
                notes.add(message);
            }
        }).run();

        assertThat(notes).containsExactly("Resuming " + paused.dir() + " after epoch 1 of 2");
        assertThat(withoutSeconds(paused.dir())).isEqualTo(withoutSeconds(straight.dir()));
    }

    /**
     * Issue #20: the checkpoint holds the averaged model beside the trained weights and the momentum, so a paused
     * and resumed run with a weight average (ema on two model copies, swa with its update_bn) and label smoothing
     * equals an uninterrupted one: its metrics (the averaged model's evaluations) and its saved weights.
     */
    @ParameterizedTest
    @CsvSource({"ema, 2", "swa, 1"})
    void aWeightAveragedRunResumesExactly(String kind, int threads, @TempDir Path dir) throws IOException {
        MnistData data = small(1280, 500);
        Experiment preset = Experiment.preset("frontier-2k");
        Experiment e = preset.withRecipe(preset.recipe().withEpochs(2).withLoss(new Recipe.LossSettings(0.1))
                .withAverage(kind.equals("ema") ? Averaging.ema(0.95) : Averaging.swa(1)));
        RunFolder straight = RunFolder.create(dir.resolve("straight"), "x", false);
        new Training(e, data, straight).onThreads(threads).run();
        RunFolder paused = RunFolder.create(dir.resolve("paused"), "x", false);
        new Training(e, data, paused).onThreads(threads).stoppingAfter(1).run();
        new Training(e, data, RunFolder.existing(paused.dir())).onThreads(threads).resuming().run();

        assertThat(withoutSeconds(paused.dir())).hasSize(3).isEqualTo(withoutSeconds(straight.dir()));
        assertThat(Files.readAllBytes(paused.file(RunFolder.WEIGHTS))).isEqualTo(Files.readAllBytes(straight.file(RunFolder.WEIGHTS)));
        assertThat(Checkpoint.load(paused).optimizer()).containsKeys("momentum", WeightAverage.SLOT);
        assertThat(Checkpoint.load(paused).optimizer().get(WeightAverage.SLOT))
                .hasSameSizeAs(Checkpoint.load(paused).parameters());

        // the average is what was evaluated: without it the same run reports other digits
        RunFolder plain = RunFolder.create(dir.resolve("plain"), "x", false);
        new Training(e.withRecipe(e.recipe().withAverage(Averaging.NONE)), data, plain).onThreads(threads).run();
        assertThat(withoutSeconds(plain.dir()).get(2)).isNotEqualTo(withoutSeconds(straight.dir()).get(2));
        assertThat(withoutSeconds(plain.dir()).get(1).split(",", 5)[3]).as("the training pass is the same")
                .isEqualTo(withoutSeconds(straight.dir()).get(1).split(",", 5)[3]);
    }

    /** Issue #17: a flipped byte anywhere in a checkpoint is "damaged", not a Java exception or a silently wrong run. */
    @Test
    void aCheckpointWithAFlippedByteIsRefusedAsDamaged(@TempDir Path dir) throws IOException {
        Experiment preset = Experiment.preset("seed003");
        Experiment e = preset.withRecipe(preset.recipe().withEpochs(2));
        MnistData data = small(300, 100);
        RunFolder folder = RunFolder.create(dir.resolve("run"), "x", false);
        new Training(e, data, folder).onThreads(1).stoppingAfter(1).run();
        Path file = folder.file(RunFolder.CHECKPOINT);
        byte[] good = Files.readAllBytes(file);
        // the epoch field, a length field, and a weight in the middle
        for (int at : new int[] {5, 20, good.length / 2}) {
            byte[] bad = good.clone();
            bad[at] ^= 0x40;
            Files.write(file, bad);
            assertThatThrownBy(() -> new Training(e, data, RunFolder.existing(folder.dir())).onThreads(1).resuming().run())
                    .as("byte %d", at).isInstanceOf(MnistlabException.class)
                    .hasMessageStartingWith(file + " is damaged; resume from a copy, or start the run again");
        }
    }

    private static Experiment adam() throws IOException {
        Experiment e = Experiment.preset("seed003");
        e = e.withRecipe(e.recipe().withEpochs(2));
        return e.withRecipe(e.recipe().withOptimizer(Recipe.OptimizerSettings.defaults().withName("adam").withLr(0.003)));
    }

    private static MnistData small(int train, int test) {
        MnistData data = MnistSource.load(null, s -> { });
        return new MnistData(data.train().first(train), data.test().first(test), data.directory());
    }

    /** Random images and labels: enough to run the loop, nothing to learn. */
    private static MnistData random(int train, int test) {
        return new MnistData(randomSplit("train", train), randomSplit("test", test), Path.of("random"));
    }

    private static Split randomSplit(String name, int n) {
        SplittableRandom rng = new SplittableRandom(n);
        byte[] pixels = new byte[n * 784];
        rng.nextBytes(pixels);
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) rng.nextInt(10);
        }
        return new Split(name, pixels, labels, n, 28, 28);
    }

    private static List<String> withoutSeconds(Path run) throws IOException {
        return Files.readAllLines(run.resolve(RunFolder.METRICS)).stream()
                .map(line -> line.substring(0, line.lastIndexOf(','))).toList();
    }
}
