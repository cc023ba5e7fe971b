package dev.mnistlab.report;

import java.util.List;

/**
 * One report written once and rendered twice: as Markdown (images beside it) and as a self-contained
 * HTML page (images inlined), so the two never drift apart.
 */
public interface Doc {

    Doc title(String text);

    Doc heading(String text);

    Doc paragraph(String text);

    /** A list of lines, each starting with PASS or FAIL shown as a badge. */
    Doc checks(List<String> lines);

    Doc bullets(List<String> lines);

    Doc table(List<String> header, List<List<String>> rows);

    Doc preformatted(String text);

    /** An image written beside the page as {@code file}; {@code png} is its content. */
    Doc image(String file, byte[] png, String alt);

    String render();
}
