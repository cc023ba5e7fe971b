package dev.mnistlab.infer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mnistlab.cli.CliRun;
import dev.mnistlab.data.Split;
import java.awt.Color;
import java.awt.Font;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** evaluate, predict and export as a user runs them. */
class InferCliTest {

    static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void evaluatePrintsAccuracyPerClassAndConfusion(@TempDir Path dir) throws IOException {
        Path runDir = InferFixture.shippedRun(dir);
        CliRun o = run("evaluate", runDir.toString(), "--data-dir", InferFixture.mnist().directory().toString());
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(o.out()).contains("Test set: Average loss: 0.0176, Accuracy: 9942/10000 (99.42%)")
                .contains("Per class:").contains("Confusion matrix (rows: true digit, columns: predicted):");
    }

    @Test
    void predictPrintsTheDigitAndTenProbabilitiesPerImage(@TempDir Path dir) throws IOException {
        Path runDir = InferFixture.shippedRun(dir);
        Path four = dir.resolve("four.png");
        ImageIO.write(InferFixture.render('4', new Font(Font.SERIF, Font.BOLD, 120), Color.BLUE, Color.WHITE, 400, 300, 150, 60),
                "png", four.toFile());
        // test image 0 is a 7, stored as MNIST stores it
        Split test = InferFixture.mnist().test();
        BufferedImage first = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        first.getRaster().setDataElements(0, 0, 28, 28, Arrays.copyOfRange(test.pixels(), 0, 784));
        Path seven = dir.resolve("test0.png");
        ImageIO.write(first, "png", seven.toFile());

        CliRun o = run("predict", runDir.toString(), four.toString(), seven.toString());
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(o.out()).containsPattern(java.util.regex.Pattern.quote(four.toString())
                + ": 4  \\(0: \\d\\.\\d{4}  1: .* 9: \\d\\.\\d{4}\\)");
        assertThat(o.out()).contains(seven + ": 7  (");
    }

    @Test
    void userErrorsAreOneLine(@TempDir Path dir) throws IOException {
        Path runDir = InferFixture.shippedRun(dir);
        CliRun missing = run("predict", runDir.toString(), dir.resolve("nope.png").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err().strip()).doesNotContain("\n").contains("nope.png: cannot read the image");

        // a small PNG declaring 30000x30000 grey pixels: refused from its header, not an OutOfMemoryError
        Path bomb = Files.write(dir.resolve("bomb.png"), ImageBomb.of("png", 30000, 30000));
        CliRun huge = run("predict", runDir.toString(), bomb.toString());
        assertThat(huge.code()).as(huge.err()).isEqualTo(2);
        assertThat(huge.err().strip()).doesNotContain("\n").contains("bomb.png: the image is 30000x30000 pixels; images may have at most");

        Files.writeString(runDir.resolve("experiment.yaml"), dev.mnistlab.train.Experiment.preset("seed003").toYaml());
        CliRun mismatch = run("evaluate", runDir.toString());
        assertThat(mismatch.code()).isEqualTo(2);
        assertThat(mismatch.err().strip()).doesNotContain("\n").contains("does not fit the spec 'seed003'");

        assertThat(run("export", runDir.toString()).err()).contains("Missing required option: '--to=DIR'");
    }

    @Test
    void exportNeedsForceForAFolderHoldingFiles(@TempDir Path dir) throws IOException {
        Path runDir = InferFixture.shippedRun(dir);
        Path to = Files.createDirectories(dir.resolve("torch"));
        Files.writeString(to.resolve("model.py"), "# mine\n");
        CliRun refused = run("export", runDir.toString(), "--to", to.toString());
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err().strip()).doesNotContain("\n").contains("already holds files (model.py)").contains("--force");
        assertThat(Files.readString(to.resolve("model.py"))).isEqualTo("# mine\n");
        CliRun forced = run("export", runDir.toString(), "--to", to.toString(), "--force");
        assertThat(forced.code()).as(forced.err()).isZero();
        assertThat(Files.readString(to.resolve("model.py"))).contains("nn.Sequential(");
    }

    @Test
    void serveNamesABadOrTakenPortInOneLine(@TempDir Path dir) throws IOException {
        Path runDir = InferFixture.shippedRun(dir);
        for (String port : new String[] {"70000", "-1"}) {
            CliRun bad = run("serve", runDir.toString(), "--port", port);
            assertThat(bad.code()).as(bad.err()).isEqualTo(2);
            assertThat(bad.err().strip()).doesNotContain("\n")
                    .isEqualTo("mnistlab: --port " + port + " is not a port number; use 1024 to 65535, or 0 to pick a free one");
        }
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            CliRun inUse = run("serve", runDir.toString(), "--port", Integer.toString(port));
            assertThat(inUse.code()).as(inUse.err()).isEqualTo(2);
            assertThat(inUse.err().strip()).doesNotContain("\n")
                    .isEqualTo("mnistlab: --port " + port + ": 127.0.0.1:" + port + " is in use; choose another port, or 0 for a free one");
        }
    }
}
