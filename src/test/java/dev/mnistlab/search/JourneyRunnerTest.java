package dev.mnistlab.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mnistlab.MnistlabException;
import dev.mnistlab.report.Journey;
import dev.mnistlab.report.ReportsTest;
import dev.mnistlab.report.SyntheticRun;
import dev.mnistlab.train.Experiment;
import dev.mnistlab.train.RunState.Status;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JourneyRunnerTest {

    @Test
    void aFinishedRunOfTheSameSpecAndRecipeIsReusedAndAnyOtherIsNot(@TempDir Path dir) throws IOException {
        Experiment wanted = Experiment.preset("seed001");
        Path run = SyntheticRun.write(dir.resolve("run"));
        assertThat(JourneyRunner.state(run, wanted)).isEqualTo(Status.FINISHED);
        assertThat(JourneyRunner.state(run, wanted.withRecipe(wanted.recipe().withEpochs(14)))).isEqualTo(Status.NONE);
        Files.writeString(run.resolve("run.yaml"), Files.readString(run.resolve("run.yaml")).replace("finished", "running"));
        assertThat(JourneyRunner.state(run, wanted)).isEqualTo(Status.NONE);
        Files.writeString(run.resolve("checkpoint.bin"), "x");
        assertThat(JourneyRunner.state(run, wanted)).isEqualTo(Status.STOPPED);
        assertThat(JourneyRunner.state(dir.resolve("empty"), wanted)).isEqualTo(Status.NONE);
        assertThat(JourneyRunner.state(run, Experiment.preset("seed003"))).isEqualTo(Status.NONE);
    }

    @Test
    void aJourneyWhoseStepsAreAllDoneOnlyWritesTheJournal(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("j.yaml");
        Files.writeString(file, "name: demo\ndescription: two steps\nsteps:\n"
                + "  - {name: first, target: \"get going\", preset: seed001}\n"
                + "  - {name: second, target: \"more\", preset: seed003, overrides: {epochs: 15}}\n");
        Journey journey = Journey.load(file);
        Path out = dir.resolve("out");
        SyntheticRun.write(out.resolve("01-first"), "seed001", 0.0);
        SyntheticRun.write(out.resolve("02-second"), "seed003", -0.3);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        new JourneyRunner(out, null, null, new PrintStream(log, true, StandardCharsets.UTF_8)).run(journey);

        assertThat(log.toString(StandardCharsets.UTF_8)).contains("Step 1. first: reusing the finished run")
                .contains("Step 2. second: reusing").doesNotContain("training");
        assertThat(out.resolve("01-first/report.html")).isNotEmptyFile();
        assertThat(out.resolve("journey-accuracy.png")).isNotEmptyFile();
        assertThat(ReportsTest.dataUris(Files.readString(out.resolve("journey.html")))).hasSize(1);
        String md = Files.readString(out.resolve("journey.md"));
        assertThat(md).contains("# Journey: demo").contains("two steps")
                .contains("| Step | Target | Params | Best train | Best test | Test in last 3 epochs | Constraints | Analysis |")
                .contains("| 1. first | get going | 7,753 | 99.20% | 99.60% (epoch 15) | 99.47, 99.56, 99.60 | PASS |")
                .contains("| 2. second | more | 8,000 |").contains("FAIL (params, accuracy)")
                .contains("reaches 99.40% at epoch 13 and holds it to the end")
                .contains("vs 1. first: params +247, best test -0.25 pp, worst of last 3 -0.30 pp")
                .contains("![test accuracy per epoch of every run](journey-accuracy.png)");
    }

    /** Every step is checked, with --epochs applied, before the first one trains or gets a folder. */
    @Test
    void aStepTrainingWouldRefuseStopsTheJourneyBeforeAnythingTrains(@TempDir Path dir) throws IOException {
        // a hard-budget refusal came from inside training and left the step's folder behind
        Path file = dir.resolve("j.yaml");
        Files.writeString(file, "steps:\n  - {name: over, preset: seed001, overrides: {constraints: {max_params: 100, "
                + "hard_budget: true}}}\n");
        Path out = dir.resolve("out");
        assertThatThrownBy(() -> new JourneyRunner(out, null, null, System.out).run(Journey.load(file)))
                .isInstanceOf(MnistlabException.class).hasMessageStartingWith("seed001 has 7,753 trainable parameters, "
                        + "over the hard budget of fewer than 100");
        assertThat(out).doesNotExist();

        Files.writeString(file, "steps:\n  - {name: fine, preset: seed001}\n"
                + "  - {name: later, preset: seed001, overrides: {constraints: {max_epochs: 2, hard_budget: true}, epochs: 2}}\n");
        Journey quick = Journey.load(file).withEpochs(3);
        assertThatThrownBy(() -> new JourneyRunner(out, null, null, System.out).run(quick)).isInstanceOf(MnistlabException.class)
                .hasMessage("later recipe: epochs 3 is more than constraints.max_epochs 2 and hard_budget is true; train fewer "
                        + "epochs, or set hard_budget: false to train on and have the constraint check report FAIL");
        assertThat(out).doesNotExist();
    }
}
