package dev.mnistlab.infer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.mnistlab.MnistlabException;
import dev.mnistlab.YamlFiles;
import dev.mnistlab.data.MnistData;
import dev.mnistlab.train.Evaluation;
import dev.mnistlab.train.Experiment;
import dev.mnistlab.train.RunFolder;
import dev.mnistlab.train.Training;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TorchExportTest {

    private static final String PYTHON = "/usr/bin/python3";

    @Test
    void npzHoldsTheStateDictAsLittleEndianFloat32Npy(@TempDir Path dir) throws IOException {
        try (TrainedModel model = TrainedModel.load(InferFixture.shippedRun(dir))) {
            TorchExport.write(model, dir.resolve("out"), false);
        }
        try (ZipFile zip = new ZipFile(dir.resolve("out/weights.npz").toFile())) {
            List<String> names = new ArrayList<>();
            zip.stream().forEach(e -> names.add(e.getName()));
            // seed001: six blocks of conv, relu, bn (BN: weight, bias, running stats), the max-pool at 9, the 1x1 conv at 19
            assertThat(names).startsWith("0.weight.npy", "2.weight.npy", "2.bias.npy", "2.running_mean.npy",
                    "2.running_var.npy", "3.weight.npy").contains("19.weight.npy").hasSize(6 * 5 + 1);
            byte[] npy = zip.getInputStream(zip.getEntry("0.weight.npy")).readAllBytes();
            int headerLength = ByteBuffer.wrap(npy, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort();
            String header = new String(npy, 10, headerLength, StandardCharsets.US_ASCII);
            assertThat(new String(npy, 1, 5, StandardCharsets.US_ASCII)).isEqualTo("NUMPY");
            assertThat(header).startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (9, 1, 3, 3), }").endsWith("\n");
            assertThat((10 + headerLength) % 64).isZero();
            assertThat(npy.length - 10 - headerLength).isEqualTo(4 * 81);
        }
        assertThat(Files.readString(dir.resolve("out/model.py")))
                .contains("nn.Conv2d(1, 9, kernel_size=3, stride=1, padding=0, bias=False),  # 0: layer 1 (block) -> 9x26x26")
                .contains("nn.BatchNorm2d(9, eps=1e-5, momentum=0.1)").contains("nn.AvgPool2d(5, stride=5)")
                .contains("nn.Flatten(),  # 21: 10x1x1 -> 10 logits");
    }

    @Test
    void depthwiseConvsAreExportedWithTheirGroups() throws IOException {
        var spec = dev.mnistlab.model.SpecParser.parse(dev.mnistlab.YamlFiles.read(new java.io.ByteArrayInputStream("""
                layers:
                  - conv: 8
                  - conv: {out: 8, groups: 8}
                  - silu
                  - gelu
                  - shuffle: 2
                  - gap
                  - conv: {out: 10, kernel: 1}
                """.getBytes(StandardCharsets.UTF_8)), "test"), "test", "dw");
        assertThat(TorchExport.modules(spec.trace()))
                .contains("nn.Conv2d(8, 8, kernel_size=3, stride=1, padding=0, groups=8, bias=False)")
                .contains("nn.Conv2d(1, 8, kernel_size=3, stride=1, padding=0, bias=False)")
                .contains("nn.SiLU(),  # 2: layer 3 (silu)").contains("nn.GELU(),  # 3: layer 4 (gelu)")
                .contains("nn.ChannelShuffle(2),  # 4: layer 5 (shuffle)");
    }

    /** export --to replaced a user's own model.py without a word. */
    @Test
    void aFolderHoldingFilesIsRefusedUnlessForcedAndOnlyTheExportIsReplaced(@TempDir Path dir) throws IOException {
        Path out = Files.createDirectories(dir.resolve("out"));
        Files.writeString(out.resolve("model.py"), "# my own model\n");
        Files.writeString(out.resolve("notes.txt"), "mine\n");
        try (TrainedModel model = TrainedModel.load(InferFixture.shippedRun(dir))) {
            assertThatThrownBy(() -> TorchExport.write(model, out, false)).isInstanceOf(MnistlabException.class)
                    .hasMessage(out + " already holds files (model.py, notes.txt); export into a new or empty folder, "
                            + "or pass --force to replace weights.npz and model.py there");
            assertThat(Files.readString(out.resolve("model.py"))).isEqualTo("# my own model\n");
            assertThat(out.resolve("weights.npz")).doesNotExist();

            assertThat(TorchExport.write(model, out, true)).containsExactly(out.resolve("weights.npz"), out.resolve("model.py"));
            assertThat(Files.readString(out.resolve("model.py"))).contains("nn.Sequential(");
            assertThat(Files.readString(out.resolve("notes.txt"))).isEqualTo("mine\n");
            assertThat(out.resolve("weights.npz")).isNotEmptyFile();

            Path empty = Files.createDirectories(dir.resolve("empty"));
            TorchExport.write(model, empty, false);
            assertThat(empty.resolve("model.py")).isNotEmptyFile();
        }
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("export-tmp"));
        }
    }

    /** When model.py could not be written, the new weights.npz was left there without it. */
    @Test
    void aFailedExportLeavesNoHalfOfIt(@TempDir Path dir) throws IOException {
        Path out = Files.createDirectories(dir.resolve("out"));
        Files.createDirectories(out.resolve("model.py")); // in the way of the script
        try (TrainedModel model = TrainedModel.load(InferFixture.shippedRun(dir))) {
            assertThatThrownBy(() -> TorchExport.write(model, out, true)).isInstanceOf(MnistlabException.class)
                    .hasMessage(out.resolve("model.py") + " is a folder; the export cannot replace it");
            assertThat(out.resolve("weights.npz")).doesNotExist();

            Path blocked = Files.writeString(dir.resolve("a-file"), "x").resolve("out");
            assertThatThrownBy(() -> TorchExport.write(model, blocked, false)).isInstanceOf(MnistlabException.class)
                    .hasMessageStartingWith("cannot write the export to " + blocked).hasMessageContaining("Not a directory");
        }
    }

    /**
     * The exported script, run by Debian's PyTorch on the same weights and the same MNIST files, predicts
     * every test image as mnistlab does: the Java model is the architecture the spec says.
     */
    @Test
    void pytorchScriptPredictsEveryTestImageAsMnistlab(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(torchAvailable(), "skipped: " + PYTHON + " with torch and numpy is not installed "
                + "(Debian: apt-get install python3-torch python3-numpy)");
        try (TrainedModel model = TrainedModel.load(InferFixture.shippedRun(dir))) {
            assertPyTorchPredictsAsMnistlab(model, dir.resolve("out"));
        }
    }

    /**
     * Issue #20's levers exported: LeakyReLU, BatchNorm without affine (in a block's then-list and alone), 5x5
     * depthwise convs and BatchNorm over the logits (2d after a 1x1 conv head, 1d after a linear one), trained
     * briefly with a weight average and label smoothing so that BatchNorm's statistics and the average are not
     * their initial values. The run's last evaluation, the saved (averaged) weights evaluated again, and PyTorch
     * on the export all agree; the frozen scale and shift of the BatchNorms without affine never moved.
     */
    @ParameterizedTest
    @ValueSource(strings = {"""
            name: levers-conv-head
            model:
              block: {kernel: 3, padding: 0, bias: false, then: [{leaky_relu: 0.1}, {bn: {affine: false}}]}
              layers:
                - block: 8
                - conv: {out: 8, groups: 8, kernel: 5, padding: 2}
                - block: {out: 12, kernel: 1}
                - maxpool: 2
                - conv: {out: 12, groups: 12, kernel: 5}
                - block: {out: 16, kernel: 1, then: [leaky_relu, bn]}
                - gap
                - conv: {out: 10, kernel: 1}
                - bn
            recipe:
              epochs: 1
              optimizer: {lr: 0.05}
              average: {kind: ema, decay: 0.9}
              loss: {label_smoothing: 0.1}
            """, """
            name: levers-linear-head
            model:
              layers:
                - conv: 6
                - leaky_relu
                - bn: {affine: false}
                - maxpool: 2
                - conv: {out: 6, groups: 6, kernel: 5, padding: 2}
                - relu
                - bn
                - gap
                - flatten
                - linear: {out: 10, bias: false}
                - bn
            recipe:
              epochs: 1
              optimizer: {lr: 0.05}
              average: {kind: swa, start_epoch: 1}
            """})
    void theLeversOfIssue20ExportToAPyTorchModelThatPredictsAsMnistlab(String yaml, @TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(torchAvailable(), "skipped: " + PYTHON + " with torch and numpy is not installed "
                + "(Debian: apt-get install python3-torch python3-numpy)");
        Experiment experiment = Experiment.of(YamlFiles.parse(yaml, "test"), "test", "test");
        MnistData mnist = InferFixture.mnist();
        MnistData data = new MnistData(mnist.train().first(640), mnist.test(), mnist.directory());
        Path run = dir.resolve("run");
        Training.Result result = new Training(experiment, data, RunFolder.create(run, experiment.name(), false)).onThreads(1).run();
        try (TrainedModel model = TrainedModel.load(run)) {
            assertThat(model.evaluate(mnist.test()).line()).as("the saved weights are the ones evaluated")
                    .isEqualTo(result.finalEvaluation().line());
            int frozen = 0;
            for (Pair<String, Parameter> p : model.block().getParameters()) {
                if (!p.getValue().requiresGradient() && (p.getKey().endsWith("gamma") || p.getKey().endsWith("beta"))) {
                    float want = p.getKey().endsWith("gamma") ? 1f : 0f;
                    assertThat(p.getValue().getArray().toFloatArray()).as(p.getKey()).containsOnly(want);
                    frozen++;
                }
            }
            assertThat(frozen).as("frozen gammas and betas").isEqualTo(experiment.name().endsWith("conv-head") ? 4 : 2);
            String script = assertPyTorchPredictsAsMnistlab(model, dir.resolve("out"));
            assertThat(script).contains("affine=False)").contains("kernel_size=5").contains("nn.LeakyReLU(")
                    .contains(experiment.name().endsWith("conv-head") ? "nn.BatchNorm2d(10, eps=1e-5, momentum=0.1)"
                            : "nn.BatchNorm1d(10, eps=1e-5, momentum=0.1)");
        }
    }

    /**
     * Exports {@code model} into {@code out}, runs the script under Debian's PyTorch on the same MNIST files and
     * asserts it predicts every test image as mnistlab does; returns the script.
     */
    private static String assertPyTorchPredictsAsMnistlab(TrainedModel model, Path out) throws Exception {
        TorchExport.write(model, out, false);
        Evaluation java = model.evaluate(InferFixture.mnist().test());
        Path predictions = out.resolveSibling("torch-predictions.txt");
        Process p = new ProcessBuilder(PYTHON, out.resolve("model.py").toString(),
                "--data-dir", InferFixture.mnist().directory().toString(), "--predictions", predictions.toString())
                .redirectErrorStream(true).start();
        String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(printed).isZero();
        System.out.println("PyTorch: " + printed.strip() + "\nmnistlab: " + java.line());
        assertThat(printed.strip()).isEqualTo(java.line());
        List<String> torch = Files.readAllLines(predictions);
        assertThat(torch).hasSize(10_000);
        for (int i = 0; i < torch.size(); i++) {
            assertThat(Integer.parseInt(torch.get(i))).as("test image %d", i).isEqualTo(java.predictions()[i]);
        }
        return Files.readString(out.resolve("model.py"));
    }

    private static boolean torchAvailable() throws InterruptedException {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            return false;
        }
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import torch, numpy").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(2, TimeUnit.MINUTES) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
