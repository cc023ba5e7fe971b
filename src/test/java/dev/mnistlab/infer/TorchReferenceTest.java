package dev.mnistlab.infer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mnistlab.MnistlabException;
import dev.mnistlab.YamlFiles;
import dev.mnistlab.data.Augmentation;
import dev.mnistlab.train.Benchmark;
import dev.mnistlab.train.Experiment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bench --against-pytorch built seed003's network whatever the preset (issue 22): the PyTorch row of
 * frontier-8k was another model's. These run bench/pytorch_reference.py under Debian's PyTorch.
 */
class TorchReferenceTest {

    private static final String PYTHON = "/usr/bin/python3";

    @BeforeAll
    static void needsTorch() {
        Assumptions.assumeTrue(imports("torch, numpy"), "skipped: " + PYTHON + " with torch and numpy is not installed "
                + "(Debian: apt-get install python3-torch python3-numpy)");
    }

    /** frontier-2k's separable network (1,960 params, not seed003's 8,000), its augmentation left out so torch alone runs it. */
    @Test
    void thePytorchRowTrainsTheRequestedPresetsNetwork() {
        Experiment frontier = Experiment.preset("frontier-2k");
        Experiment plain = frontier.withRecipe(frontier.recipe().withAugment(Augmentation.NONE));

        Benchmark.Measurement m = TorchReference.measure(plain, 2, 1, InferFixture.mnist().directory(), PYTHON);

        assertThat(m.trainableParameters()).isEqualTo(1960);
        assertThat(m.trainImagesPerSecond()).isPositive();
        assertThat(m.evalImagesPerSecond()).isPositive();
    }

    /** Augmentation needs torchvision: with it the preset runs, without it one line says what to install. */
    @Test
    void anAugmentingRecipeRunsWithTorchvisionAndIsRefusedInOneLineWithout() {
        Experiment frontier = Experiment.preset("frontier-2k");
        Path data = InferFixture.mnist().directory();
        if (imports("torchvision")) {
            assertThat(TorchReference.measure(frontier, 2, 1, data, PYTHON).trainableParameters()).isEqualTo(1960);
        } else {
            assertThatThrownBy(() -> TorchReference.measure(frontier, 2, 1, data, PYTHON))
                    .isInstanceOf(MnistlabException.class)
                    .hasMessage("the PyTorch reference (bench/pytorch_reference.py) cannot run frontier-2k: the recipe "
                            + "augments the training images, which takes torchvision, and it is not installed "
                            + "(Debian: apt-get install python3-torchvision)");
        }
    }

    /** Issue #20's layers and recipe keys (ema, label smoothing) are built by the reference, not refused. */
    @Test
    void theLeversOfIssue20RunInThePytorchRow() {
        Experiment levers = Experiment.of(YamlFiles.parse("""
                name: levers
                model:
                  block: {then: [{leaky_relu: 0.1}, {bn: {affine: false}}]}
                  layers:
                    - block: 6
                    - conv: {out: 6, groups: 6, kernel: 5, padding: 2}
                    - block: {out: 8, kernel: 1}
                    - gap
                    - conv: {out: 10, kernel: 1}
                    - bn
                recipe:
                  average: {kind: ema, decay: 0.99}
                  loss: {label_smoothing: 0.1}
                """, "levers"), "levers", "levers");
        long params = levers.spec().trace().trainableParameters();
        assertThat(params).isEqualTo(54 + 150 + 48 + 80 + 20);
        assertThat(TorchReference.measure(levers, 2, 1, InferFixture.mnist().directory(), PYTHON).trainableParameters())
                .isEqualTo(params);
    }

    /** mnistlab trains Nesterov without momentum; torch.optim.SGD refuses to, and so does the reference. */
    @Test
    void aRecipeTorchCannotBuildIsRefusedInOneLine() {
        Experiment tiny = Experiment.of(YamlFiles.parse("""
                name: tiny
                model:
                  layers:
                    - conv: 4
                    - maxpool: 2
                    - gap
                    - conv: {out: 10, kernel: 1}
                recipe:
                  optimizer: {name: sgd, lr: 0.1, momentum: 0, nesterov: true}
                """, "tiny"), "tiny", "tiny");

        String refusal = "the PyTorch reference (bench/pytorch_reference.py) cannot run tiny: recipe.json: cannot "
                + "build the recipe's optimizer or schedule (ValueError: Nesterov momentum requires a momentum "
                + "and zero dampening)";
        assertThatThrownBy(() -> TorchReference.measure(tiny, 2, 1, InferFixture.mnist().directory(), PYTHON))
                .isInstanceOf(MnistlabException.class).hasMessage(refusal);
        // bench checks this before it measures anything: the same line, without data or training
        assertThatThrownBy(() -> TorchReference.check(tiny, PYTHON)).isInstanceOf(MnistlabException.class).hasMessage(refusal);
        TorchReference.check(Experiment.preset("frontier-2k"), PYTHON);
    }

    /** The script checks the network it built against the count mnistlab passes, instead of a fixed 8,000. */
    @Test
    void aNetworkOfAnotherParameterCountIsRefusedInOneLine(@TempDir Path dir) throws Exception {
        TorchReference.writeInputs(Experiment.preset("frontier-2k"), dir);
        Path model = dir.resolve(TorchExport.SCRIPT);

        Process p = new ProcessBuilder(PYTHON, TorchReference.SCRIPT, "--model", model.toString(), "--recipe",
                dir.resolve(TorchReference.RECIPE).toString(), "--expect-params", "8000").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).isEqualTo(1);
        assertThat(out).isEqualTo("error: the network built from " + model + " has 1,960 trainable parameters, the spec "
                + "8,000; refusing to compare two different networks\n");
    }

    private static boolean imports(String modules) {
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import " + modules).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(2, TimeUnit.MINUTES) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
