package dev.mnistlab.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mnistlab.MnistlabException;
import dev.mnistlab.YamlFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What an experiment refuses before any run folder exists. */
class ExperimentTest {

    private static final String TINY = "layers:\n  - conv: {out: 10, kernel: 28}\n";

    static Experiment experiment(String yaml) throws IOException {
        return Experiment.of(YamlFiles.read(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "e.yaml"),
                "e.yaml", "e");
    }

    /** A name with '/' or '..' made runs/&lt;time&gt;-../../x, a folder outside runs/; now it names runs/&lt;time&gt;-x. */
    @Test
    void aNameIsKeptAsWrittenButItsFolderStaysInRuns() throws IOException {
        Experiment e = experiment("name: \"../../x\"\n" + TINY);
        assertThat(e.name()).isEqualTo("../../x");
        Path dir = RunFolder.defaultDir(e.name());
        assertThat(dir.getParent()).isEqualTo(Path.of("runs"));
        assertThat(dir.getFileName().toString()).matches("\\d{8}-\\d{6}-x");
        assertThat(RunFolder.defaultDir("line\nbreak").getFileName().toString()).endsWith("-line-break");
        assertThat(RunFolder.defaultDir("nul\0byte").getFileName().toString()).endsWith("-nul-byte"); // was InvalidPathException
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"..\"", "\"/\"", "\"\"", "\"\\n\"", "\"\\0\"", "[a, b]", "{a: 1}"})
    void aNameThatCannotNameAFolderIsRefusedWhenRead(String name) {
        assertThatThrownBy(() -> experiment("name: " + name + "\n" + TINY)).isInstanceOf(MnistlabException.class)
                .hasMessageStartingWith("e.yaml: the name '").hasMessageContaining("has no letter or digit to name a folder after");
    }

    @Test
    void aFileNameWithoutLettersIsRefusedAsTheDefaultName(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("___.yaml"), TINY);
        assertThatThrownBy(() -> Experiment.file(file)).hasMessageContaining("the name '___' has no letter or digit");
        assertThat(Experiment.file(Files.writeString(dir.resolve("___.yaml"), "name: ok\n" + TINY)).name()).isEqualTo("ok");
    }

    @Test
    void aModelOverAHardBudgetIsRefusedBeforeTraining() throws IOException {
        Experiment e = experiment("model:\n  layers:\n    - conv: {out: 10, kernel: 28}\n"
                + "recipe:\n  constraints: {max_params: 100, hard_budget: true}\n");
        assertThatThrownBy(e::requireTrainable).isInstanceOf(MnistlabException.class)
                .hasMessage("e has 7,840 trainable parameters, over the hard budget of fewer than 100; shrink the model or "
                        + "raise constraints.max_params");
        assertThat(e.withRecipe(e.recipe().withConstraints(e.recipe().constraints().withHardBudget(false)))
                .requireTrainable().trainableParameters()).isEqualTo(7840);
    }

    /** Recipes changed after they were read (command line, journey --epochs) are checked again. */
    @Test
    void aRecipeChangedAfterReadingIsCheckedAgain() throws IOException {
        Experiment e = experiment(TINY);
        assertThatThrownBy(() -> e.withRecipe(e.recipe().withEpochs(5000)).requireTrainable())
                .hasMessage("e recipe: epochs must be at most 1000 (got 5000)");
    }

    /** The conv of 100,000 channels ended in "unexpected error: can't allocate 34611200000 bytes". */
    @Test
    void activationsBeyondHalfTheMachinesMemoryAreRefusedNamingTheLayer() throws IOException {
        // 100,000 x 28 x 28 floats are 313.6 MB per image; a batch of 4,096 needs 2.6 TB, beyond any machine's half
        Experiment e = experiment("model:\n  layers:\n    - conv: {out: 100000, padding: 1}\n    - gap\n"
                + "    - conv: {out: 10, kernel: 1}\nrecipe:\n  batch_size: 4096\n");
        assertThatThrownBy(e::requireTrainable).isInstanceOf(MnistlabException.class)
                .hasMessageStartingWith("e.yaml model layer 1 (conv): training a batch of 4096 images needs about 2,572.")
                .hasMessageContaining("(50% of this machine's ").hasMessageEndingWith("or lower batch_size");
        assertThat(Experiment.preset("seed003").requireTrainable().trainableParameters()).isEqualTo(8000);
    }
}
