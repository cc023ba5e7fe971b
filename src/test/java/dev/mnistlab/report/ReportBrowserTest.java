package dev.mnistlab.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * report.html as a person sees it: rendered by headless Chromium, every image must have decoded
 * (naturalWidth > 0) and the tables must be there. The page itself has no script; a copy with a small
 * probe script appended reports what the browser saw into the DOM that --dump-dom prints.
 */
class ReportBrowserTest {

    private static final String PROBE = """
            <script>
            window.addEventListener('load', function () {
              var images = Array.prototype.slice.call(document.images);
              var loaded = images.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length;
              var out = document.createElement('pre');
              out.id = 'probe';
              out.textContent = 'images=' + images.length + ' loaded=' + loaded
                  + ' tables=' + document.querySelectorAll('table').length
                  + ' rows=' + document.querySelectorAll('tr').length
                  + ' pass=' + document.querySelectorAll('span.pass').length
                  + ' width=' + Math.min.apply(null, images.map(function (i) { return i.naturalWidth; }));
              document.body.appendChild(out);
            });
            </script>
            """;

    @Test
    void chromiumLoadsEveryImageAndShowsTheTables(@TempDir Path tmp) throws Exception {
        Path browser = requireChromium();
        Path run = SyntheticRun.write(tmp.resolve("run"));
        Reports.write(run, s -> { });
        String html = Files.readString(run.resolve(Reports.HTML));
        assertThat(html).doesNotContainIgnoringCase("<script");

        Probe seen = probe(browser, html, tmp);
        assertThat(seen.images()).isEqualTo(ReportsTest.PLOTS.size());
        assertThat(seen.loaded()).isEqualTo(seen.images());
        assertThat(seen.minWidth()).isGreaterThan(300);
        // per-epoch results, model, receptive field
        assertThat(seen.tables()).isEqualTo(3);
        // 15 epochs, 21 layers, 9 grid-changing layers, plus a header each
        assertThat(seen.rows()).isEqualTo(16 + 22 + 10);
        assertThat(seen.passes()).isEqualTo(3);
    }

    @Test
    void theProbeNoticesAnImageThatDoesNotDecode(@TempDir Path tmp) throws Exception {
        Path browser = requireChromium();
        Path run = SyntheticRun.write(tmp.resolve("run"));
        Reports.write(run, s -> { });
        String html = Files.readString(run.resolve(Reports.HTML))
                .replace("</body>", "<img alt=\"broken\" src=\"data:image/png;base64,iVBORw0KGgo=\">\n</body>");
        Probe seen = probe(browser, html, tmp);
        assertThat(seen.images()).isEqualTo(ReportsTest.PLOTS.size() + 1);
        assertThat(seen.loaded()).isEqualTo(ReportsTest.PLOTS.size());
    }

    record Probe(int images, int loaded, int tables, int rows, int passes, int minWidth) {}

    private static Probe probe(Path browser, String html, Path tmp) throws IOException, InterruptedException {
        Path page = tmp.resolve("probe.html");
        Files.writeString(page, html.replace("</body>", PROBE + "</body>"));
        String dom = Chromium.dumpDom(browser, page, tmp);
        Matcher m = Pattern.compile("images=(\\d+) loaded=(\\d+) tables=(\\d+) rows=(\\d+) pass=(\\d+) width=(\\d+)").matcher(dom);
        assertThat(m.find()).as("the probe's line in Chromium's DOM dump:%n%s", dom.length() > 2000 ? dom.substring(0, 2000) : dom).isTrue();
        return new Probe(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)), Integer.parseInt(m.group(6)));
    }

    private static Path requireChromium() {
        Path browser = Chromium.find();
        assumeTrue(browser != null, "SKIPPED: headless Chromium not installed (apt-get install -y chromium; .ci/run installs it)");
        return browser;
    }
}
