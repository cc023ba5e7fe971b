package dev.mnistlab.infer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mnistlab.cli.Main;
import dev.mnistlab.data.Split;
import java.awt.Color;
import java.awt.Font;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** evaluate, predict and export as a user runs them. */
class InferCliTest {

    record Outcome(int code, String out, String err) {}

    static Outcome run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            return new Outcome(Main.run(args), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void evaluatePrintsAccuracyPerClassAndConfusion(@TempDir Path dir) throws IOException {
        Path runDir = InferFixture.shippedRun(dir);
        Outcome o = run("evaluate", runDir.toString(), "--data-dir", InferFixture.mnist().directory().toString());
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

        Outcome o = run("predict", runDir.toString(), four.toString(), seven.toString());
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(o.out()).containsPattern(java.util.regex.Pattern.quote(four.toString())
                + ": 4  \\(0: \\d\\.\\d{4}  1: .* 9: \\d\\.\\d{4}\\)");
        assertThat(o.out()).contains(seven + ": 7  (");
    }

    @Test
    void userErrorsAreOneLine(@TempDir Path dir) throws IOException {
        Path runDir = InferFixture.shippedRun(dir);
        Outcome missing = run("predict", runDir.toString(), dir.resolve("nope.png").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err().strip()).doesNotContain("\n").contains("nope.png: cannot read the image");

        Files.writeString(runDir.resolve("experiment.yaml"), dev.mnistlab.train.Experiment.preset("seed003").toYaml());
        Outcome mismatch = run("evaluate", runDir.toString());
        assertThat(mismatch.code()).isEqualTo(2);
        assertThat(mismatch.err().strip()).doesNotContain("\n").contains("does not fit the spec 'seed003'");

        assertThat(run("export", runDir.toString()).err()).contains("Missing required option: '--to=DIR'");
    }
}
