package dev.mnistlab.infer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mnistlab.MnistlabException;
import dev.mnistlab.train.EpochResult;
import dev.mnistlab.train.Evaluation;
import dev.mnistlab.train.Experiment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainedModelTest {

    /** One evaluation routine: the trained model's pass gives the very digits training wrote for its last epoch. */
    /** Issue #17: a run resumed and stopped again keeps an older weights.params, which is not its final model. */
    @Test
    void aRunWhoseRecordSaysUnfinishedIsRefusedThoughItHasWeights(@TempDir Path dir) throws IOException {
        Path run = InferFixture.shippedRun(dir);
        Files.writeString(run.resolve("run.yaml"), "status: paused\n");
        assertThatThrownBy(() -> TrainedModel.load(run)).isInstanceOf(MnistlabException.class)
                .hasMessage(run + " holds a run that is not finished (15 epochs so far); finish it with "
                        + "./mnistlab train --resume " + run + ", then use it");
    }

    @Test
    void evaluatingTheShippedRunGivesWhatTrainingReported(@TempDir Path dir) throws IOException {
        Path run = InferFixture.shippedRun(dir);
        List<EpochResult> epochs = EpochResult.readAll(run);
        EpochResult last = epochs.get(epochs.size() - 1);
        try (TrainedModel model = TrainedModel.load(run)) {
            Evaluation evaluation = model.evaluate(InferFixture.mnist().test());
            assertThat(evaluation.correct()).isEqualTo(InferFixture.SHIPPED_CORRECT);
            assertThat(new EpochResult(last.epoch(), last.lr(), last.trainLoss(), last.trainAccuracy(), evaluation.loss(),
                    evaluation.accuracy(), last.seconds()).csvLine()).isEqualTo(last.csvLine());
            assertThat(Arrays.stream(evaluation.confusion()[1]).sum()).isEqualTo(1135);
            assertThat(evaluation.text()).startsWith("Test set: Average loss: 0.0176, Accuracy: 9942/10000 (99.42%)")
                    .contains("Confusion matrix").contains("  1 |      0  1129");
        }
    }

    @Test
    void weightsOfAnotherArchitectureAreOneClearError(@TempDir Path dir) throws IOException {
        Path run = InferFixture.shippedRun(dir);
        Files.writeString(run.resolve("experiment.yaml"), Experiment.preset("seed003").toYaml());
        assertThatThrownBy(() -> TrainedModel.load(run)).isInstanceOf(MnistlabException.class)
                .hasMessageContaining(run.resolve("weights.params").toString())
                .hasMessageContaining("does not fit the spec 'seed003'")
                .hasMessageContaining("another model");
    }

    @Test
    void sameLayersWithOtherSizesNameTheParameterThatDoesNotFit(@TempDir Path dir) throws IOException {
        Path run = InferFixture.shippedRun(dir);
        Path yaml = run.resolve("experiment.yaml");
        // first block 9 -> 10 channels: DJL's loader would accept the names and only the shapes differ
        Files.writeString(yaml, Files.readString(yaml).replaceFirst("- block: 9", "- block: 10"));
        assertThatThrownBy(() -> TrainedModel.load(run)).isInstanceOf(MnistlabException.class)
                .hasMessageContaining("does not fit")
                .hasMessageMatching(".*parameter \\S*Conv2d_weight is \\(9, 1, 3, 3\\) in the file but the spec needs \\(10, 1, 3, 3\\).*");
    }

    @Test
    void aFolderWithoutWeightsSaysSo(@TempDir Path dir) throws IOException {
        Path run = InferFixture.shippedRun(dir);
        Files.delete(run.resolve("weights.params"));
        assertThatThrownBy(() -> TrainedModel.load(run)).isInstanceOf(MnistlabException.class)
                .hasMessageContaining("weights.params is missing");
        assertThatThrownBy(() -> TrainedModel.load(dir.resolve("nope"))).isInstanceOf(MnistlabException.class)
                .hasMessageContaining("no such run folder");
    }
}
