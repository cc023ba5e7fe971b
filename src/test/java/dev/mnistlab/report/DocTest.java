package dev.mnistlab.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DocTest {

    @Test
    void htmlEscapesTextAndKeepsBoldAndCode() {
        String html = new HtmlDoc().title("a <b> & c").paragraph("**x** `y` <script>").render();
        assertThat(html).contains("<title>a &lt;b&gt; &amp; c</title>").contains("<b>x</b> <code>y</code> &lt;script&gt;")
                .doesNotContain("<script>");
    }

    @Test
    void markdownTablesSurvivePipesAndLineBreaks() {
        String md = new MarkdownDoc().table(List.of("a", "b"), List.of(List.of("x|y", "1\n2"))).render();
        assertThat(md).isEqualTo("| a | b |\n|---|---|\n| x\\|y | 1<br>2 |\n\n");
    }

    @Test
    void checksShowPassAndFail() {
        String html = new HtmlDoc().checks(List.of("PASS  epochs 15 <= 15", "FAIL  trainable params 9,000 < 8,000")).render();
        assertThat(html).contains("<span class=\"pass\">PASS</span> epochs 15 &lt;= 15")
                .contains("<span class=\"fail\">FAIL</span> trainable params 9,000 &lt; 8,000");
        assertThat(new MarkdownDoc().checks(List.of("FAIL  x")).render()).isEqualTo("- ❌ **FAIL** x\n\n");
    }
}
