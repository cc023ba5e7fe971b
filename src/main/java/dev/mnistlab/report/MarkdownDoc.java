package dev.mnistlab.report;

import java.util.List;

/** GitHub-flavoured Markdown; images are links to the PNG files beside the page. */
public final class MarkdownDoc implements Doc {

    private final StringBuilder md = new StringBuilder();

    @Override
    public Doc title(String text) {
        md.append("# ").append(text).append("\n\n");
        return this;
    }

    @Override
    public Doc heading(String text) {
        md.append("## ").append(text).append("\n\n");
        return this;
    }

    @Override
    public Doc paragraph(String text) {
        md.append(text).append("\n\n");
        return this;
    }

    @Override
    public Doc checks(List<String> lines) {
        lines.forEach(line -> md.append("- ").append(line.startsWith("PASS") ? "✅ " : "❌ ")
                .append(line.replaceFirst("^(PASS|FAIL)\\s+", "**$1** ")).append('\n'));
        md.append('\n');
        return this;
    }

    @Override
    public Doc bullets(List<String> lines) {
        lines.forEach(line -> md.append("- ").append(line).append('\n'));
        md.append('\n');
        return this;
    }

    @Override
    public Doc table(List<String> header, List<List<String>> rows) {
        md.append(row(header)).append('|').append("---|".repeat(header.size())).append('\n');
        rows.forEach(r -> md.append(row(r)));
        md.append('\n');
        return this;
    }

    private static String row(List<String> cells) {
        StringBuilder sb = new StringBuilder("|");
        // a pipe would end the cell and a newline the row
        cells.forEach(c -> sb.append(' ').append(c.replace("|", "\\|").replace("\n", "<br>")).append(" |"));
        return sb.append('\n').toString();
    }

    @Override
    public Doc preformatted(String text) {
        md.append("```\n").append(text.endsWith("\n") ? text : text + "\n").append("```\n\n");
        return this;
    }

    @Override
    public Doc image(String file, byte[] png, String alt) {
        md.append("![").append(alt).append("](").append(file).append(")\n\n");
        return this;
    }

    @Override
    public String render() {
        return md.toString();
    }
}
