package dev.mnistlab.infer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mnistlab.train.Evaluation;
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

class TorchExportTest {

    private static final String PYTHON = "/usr/bin/python3";

    @Test
    void npzHoldsTheStateDictAsLittleEndianFloat32Npy(@TempDir Path dir) throws IOException {
        try (TrainedModel model = TrainedModel.load(InferFixture.shippedRun(dir))) {
            TorchExport.write(model, dir.resolve("out"));
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

    /**
     * The exported script, run by Debian's PyTorch on the same weights and the same MNIST files, predicts
     * every test image as mnistlab does: the Java model is the architecture the spec says.
     */
    @Test
    void pytorchScriptPredictsEveryTestImageAsMnistlab(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(torchAvailable(), "skipped: " + PYTHON + " with torch and numpy is not installed "
                + "(Debian: apt-get install python3-torch python3-numpy)");
        Evaluation java;
        try (TrainedModel model = TrainedModel.load(InferFixture.shippedRun(dir))) {
            TorchExport.write(model, dir.resolve("out"));
            java = model.evaluate(InferFixture.mnist().test());
        }
        Path predictions = dir.resolve("torch-predictions.txt");
        Process p = new ProcessBuilder(PYTHON, dir.resolve("out/model.py").toString(),
                "--data-dir", InferFixture.mnist().directory().toString(), "--predictions", predictions.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        System.out.println("PyTorch: " + out.strip() + "\nmnistlab: " + java.line());
        assertThat(out.strip()).isEqualTo(java.line());
        List<String> torch = Files.readAllLines(predictions);
        assertThat(torch).hasSize(10_000);
        for (int i = 0; i < torch.size(); i++) {
            assertThat(Integer.parseInt(torch.get(i))).as("test image %d", i).isEqualTo(java.predictions()[i]);
        }
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
