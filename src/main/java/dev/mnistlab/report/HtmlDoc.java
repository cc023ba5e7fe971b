package dev.mnistlab.report;

import java.util.Base64;
import java.util.List;

/** A plain HTML page with inline CSS and images as data URIs: one file, readable anywhere, no JavaScript. */
public final class HtmlDoc implements Doc {

    private static final String STYLE = """
            body{font-family:sans-serif;max-width:1320px;margin:1.5em auto;padding:0 1em;color:#222}
            table{border-collapse:collapse;margin:.5em 0 1.5em}
            th,td{border:1px solid #ccc;padding:.25em .6em;text-align:right;vertical-align:top}
            th{background:#f2f2f2} td.text{text-align:left}
            pre{background:#f7f7f7;padding:.6em;overflow-x:auto}
            img{max-width:100%;border:1px solid #eee;margin:.3em .3em .3em 0}
            .pass{color:#fff;background:#2e7d32;padding:0 .4em;border-radius:3px}
            .fail{color:#fff;background:#c62828;padding:0 .4em;border-radius:3px}
            ul.checks{list-style:none;padding-left:0}
            """;

    private final StringBuilder body = new StringBuilder();
    private String title = "mnistlab report";

    @Override
    public Doc title(String text) {
        title = text;
        body.append("<h1>").append(escape(text)).append("</h1>\n");
        return this;
    }

    @Override
    public Doc heading(String text) {
        body.append("<h2>").append(escape(text)).append("</h2>\n");
        return this;
    }

    @Override
    public Doc paragraph(String text) {
        body.append("<p>").append(inline(text)).append("</p>\n");
        return this;
    }

    @Override
    public Doc checks(List<String> lines) {
        body.append("<ul class=\"checks\">\n");
        for (String line : lines) {
            boolean pass = line.startsWith("PASS");
            body.append("<li><span class=\"").append(pass ? "pass" : "fail").append("\">").append(pass ? "PASS" : "FAIL")
                    .append("</span> ").append(escape(line.replaceFirst("^(PASS|FAIL)\\s+", ""))).append("</li>\n");
        }
        body.append("</ul>\n");
        return this;
    }

    @Override
    public Doc bullets(List<String> lines) {
        body.append("<ul>\n");
        lines.forEach(line -> body.append("<li>").append(inline(line)).append("</li>\n"));
        body.append("</ul>\n");
        return this;
    }

    @Override
    public Doc table(List<String> header, List<List<String>> rows) {
        body.append("<table>\n<tr>");
        header.forEach(h -> body.append("<th>").append(escape(h)).append("</th>"));
        body.append("</tr>\n");
        for (List<String> row : rows) {
            body.append("<tr>");
            // numbers read best right-aligned, words left-aligned
            row.forEach(c -> body.append(c.replace("*", "").matches("[-+]?[\\d.,%]+( pp)?") ? "<td>" : "<td class=\"text\">")
                    .append(inline(c).replace("\n", "<br>")).append("</td>"));
            body.append("</tr>\n");
        }
        body.append("</table>\n");
        return this;
    }

    @Override
    public Doc preformatted(String text) {
        body.append("<pre>").append(escape(text)).append("</pre>\n");
        return this;
    }

    @Override
    public Doc image(String file, byte[] png, String alt) {
        body.append("<img alt=\"").append(escape(alt)).append("\" title=\"").append(escape(file))
                .append("\" src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(png)).append("\">\n");
        return this;
    }

    @Override
    public String render() {
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + escape(title)
                + "</title>\n<style>\n" + STYLE + "</style>\n</head>\n<body>\n" + body + "</body>\n</html>\n";
    }

    /** Text with the one Markdown mark the reports use, **bold**, carried over. */
    static String inline(String text) {
        return escape(text).replaceAll("\\*\\*(.+?)\\*\\*", "<b>$1</b>").replaceAll("`(.+?)`", "<code>$1</code>");
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
