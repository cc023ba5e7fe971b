package dev.mnistlab.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mnistlab.MnistlabException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class ReportsTest {

    static final List<String> PLOTS = List.of("accuracy.png", "loss.png", "lr.png", "confusion.png", "misclassified.png");

    @Test
    void writesEveryPlotAndBothPagesAtomically(@TempDir Path tmp) throws IOException {
        Path run = SyntheticRun.write(tmp.resolve("run"));
        List<String> log = new ArrayList<>();
        Reports.write(run, log::add);

        for (String plot : PLOTS) {
            BufferedImage image = ImageIO.read(run.resolve(plot).toFile());
            assertThat(image).as(plot).isNotNull();
            assertThat(image.getWidth()).as(plot).isGreaterThan(300);
        }
        assertThat(ImageIO.read(run.resolve("accuracy.png").toFile()).getWidth()).isEqualTo(2 * Charts.WIDTH);
        try (Stream<Path> files = Files.list(run)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
        assertThat(log).noneMatch(l -> l.contains("lacks")).anyMatch(l -> l.contains("report.html"));

        String md = Files.readString(run.resolve("report.md"));
        assertThat(md).contains("# mnistlab report: seed001").contains("**PASS** trainable params 7,753 < 8,000")
                .contains("| Layer (type) | Output shape | Param # |").contains("| Conv2d-1 | [-1, 9, 26, 26] | 81 |")
                .contains("| AvgPool2d-21 | 5 | 1 | 5 | 0 | 5 | 2 | 10 | 20 | 28 |")
                .contains("| 15 | 0.0005 |").contains("step_size: 6");
        PLOTS.forEach(p -> assertThat(md).contains("](" + p + ")"));
        assertThat(md).contains("data_dir " + run.resolve("mnist").toAbsolutePath());

        String html = Files.readString(run.resolve("report.html"));
        assertThat(html).doesNotContainIgnoringCase("<script").contains("<span class=\"pass\">PASS</span>")
                .contains("<table>").contains("<th>rf_out</th>").contains("<td><b>99.47</b></td>").contains("<td>99.38</td>");
        assertThat(dataUris(html)).hasSize(PLOTS.size()).allSatisfy(png -> assertThat(ImageIO.read(
                new java.io.ByteArrayInputStream(java.util.Base64.getDecoder().decode(png)))).isNotNull());
    }

    @Test
    void aRunWithoutTheOptionalFilesStillGetsItsReportAndSaysWhatIsMissing(@TempDir Path tmp) throws IOException {
        Path run = SyntheticRun.write(tmp.resolve("old"));
        Files.delete(run.resolve("lr.csv"));
        Files.delete(run.resolve("predictions.csv"));
        Files.delete(run.resolve("run.yaml"));
        List<String> log = new ArrayList<>();
        Reports.write(run, log::add);

        assertThat(run.resolve("lr.png")).isNotEmptyFile();
        assertThat(run.resolve("confusion.png")).doesNotExist();
        assertThat(run.resolve("misclassified.png")).doesNotExist();
        assertThat(log).anyMatch(l -> l.contains("no lr.csv, predictions.csv, run.yaml"));
        assertThat(Files.readString(run.resolve("report.md"))).contains("**Note:** This run folder has no lr.csv, predictions.csv, run.yaml");
        assertThat(dataUris(Files.readString(run.resolve("report.html")))).hasSize(3);
    }

    @Test
    void predictionsFromAnotherDataSetLeaveOutTheGridWithAReason(@TempDir Path tmp) throws IOException {
        Path run = SyntheticRun.write(tmp.resolve("run"));
        Files.writeString(run.resolve("predictions.csv"), "index,label,predicted,confidence\n0,7,1,0.9\n");
        List<String> log = new ArrayList<>();
        Reports.write(run, log::add);
        assertThat(run.resolve("confusion.png")).isNotEmptyFile();
        assertThat(run.resolve("misclassified.png")).doesNotExist();
        assertThat(log).anyMatch(l -> l.contains("test image 0 is a 7 but the MNIST test set says 0"));
    }

    @Test
    void aFolderThatIsNoRunIsOneClearLine(@TempDir Path tmp) throws IOException {
        assertThatThrownBy(() -> Reports.write(tmp.resolve("nope"), s -> { }))
                .isInstanceOf(MnistlabException.class).hasMessageContaining("no such run folder");
        Path run = SyntheticRun.write(tmp.resolve("run"));
        Files.delete(run.resolve("metrics.csv"));
        assertThatThrownBy(() -> Reports.write(run, s -> { })).isInstanceOf(MnistlabException.class)
                .hasMessageContaining("no finished epoch in metrics.csv");
        Files.writeString(run.resolve("metrics.csv"), "epoch,lr,train_loss,train_acc,test_loss,test_acc,seconds\n1,0.1,x,1,1,1,1\n");
        assertThatThrownBy(() -> Reports.write(run, s -> { })).isInstanceOf(MnistlabException.class)
                .hasMessageContaining("metrics.csv line 2").hasMessageNotContaining("\n");
        Files.delete(run.resolve("experiment.yaml"));
        assertThatThrownBy(() -> Reports.write(run, s -> { })).isInstanceOf(MnistlabException.class)
                .hasMessageContaining("has no experiment.yaml");
    }

    public static List<String> dataUris(String html) {
        Matcher m = Pattern.compile("src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"").matcher(html);
        List<String> found = new ArrayList<>();
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }
}
