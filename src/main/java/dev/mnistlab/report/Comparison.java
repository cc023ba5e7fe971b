package dev.mnistlab.report;

import dev.mnistlab.AtomicFiles;
import dev.mnistlab.MnistlabException;
import dev.mnistlab.train.ConstraintCheck;
import dev.mnistlab.train.EpochResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/** The journal table (one row per run, with the analysis facts) and the overlay of the runs' test accuracy. */
public final class Comparison {

    /** One row: a label (step or run name), the user's target text, the run, what a write-up reported (or null). */
    public record Entry(String label, String target, RunData run, Reported reported) {
        public Entry(String label, String target, RunData run) {
            this(label, target, run, null);
        }
    }

    private static final List<String> SHORT_NAMES = List.of("params", "epochs", "accuracy");

    private Comparison() {}

    /** Writes {@code base}.md, {@code base}.html and {@code base}-accuracy.png into {@code dir}; returns the Markdown. */
    public static String write(Path dir, String base, String title, String intro, List<Entry> entries, Consumer<String> log) {
        if (entries.isEmpty()) {
            throw new MnistlabException("nothing to compare: give at least one run folder");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new MnistlabException("cannot create " + dir + " (" + e.getMessage() + "); choose another --out");
        }
        Plot overlay = new Plot(base + "-accuracy.png", "test accuracy per epoch of every run", overlay(entries));
        AtomicFiles.write(dir.resolve(overlay.file()), overlay.png());
        String md = page(title, intro, entries, overlay, new MarkdownDoc());
        AtomicFiles.write(dir.resolve(base + ".md"), md);
        AtomicFiles.write(dir.resolve(base + ".html"), page(title, intro, entries, overlay, new HtmlDoc()));
        log.accept("wrote " + dir.resolve(base + ".md") + ", " + base + ".html and " + overlay.file());
        return md;
    }

    static String page(String title, String intro, List<Entry> entries, Plot overlay, Doc doc) {
        doc.title(title);
        if (!intro.isEmpty()) {
            doc.paragraph(intro);
        }
        doc.table(header(entries), rows(entries));
        doc.image(overlay.file(), overlay.png(), overlay.alt());
        doc.paragraph("Run folders (each with report.html): " + entries.stream()
                .map(e -> "`" + e.run().dir().getFileName() + "`").collect(Collectors.joining(", ")));
        return doc.render();
    }

    static List<String> header(List<Entry> entries) {
        int last = Analysis.lastEpochs(entries.get(0).run());
        List<String> header = new ArrayList<>(List.of("Step", "Target"));
        if (anyReported(entries)) {
            header.add("Write-up reported");
        }
        header.addAll(List.of("Params", "Best train", "Best test", "Test in last " + last + " epochs", "Constraints", "Analysis"));
        return header;
    }

    private static boolean anyReported(List<Entry> entries) {
        return entries.stream().anyMatch(e -> e.reported() != null);
    }

    static List<List<String>> rows(List<Entry> entries) {
        List<List<String>> rows = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            RunData run = e.run();
            Entry previous = i > 0 ? entries.get(i - 1) : null;
            EpochResult best = EpochResult.best(run.epochs());
            List<String> facts = new ArrayList<>(Analysis.facts(run, previous == null ? null : previous.run(),
                    previous == null ? "" : previous.label()));
            List<String> row = new ArrayList<>(List.of(e.label(), e.target().isBlank() ? "-" : e.target()));
            if (anyReported(entries)) {
                row.add(e.reported() == null ? "-" : e.reported().describe());
                String versus = e.reported() == null ? "" : e.reported().versus(run, best.testAccuracy());
                if (!versus.isEmpty()) {
                    facts.add(0, versus);
                }
            }
            row.addAll(List.of(String.format(Locale.ROOT, "%,d", run.params()),
                    String.format(Locale.ROOT, "%.2f%%", Runs.bestTrain(run.epochs())),
                    String.format(Locale.ROOT, "%.2f%% (epoch %d)", best.testAccuracy(), best.epoch()),
                    Runs.last(run.epochs(), Analysis.lastEpochs(run)).stream()
                            .map(r -> String.format(Locale.ROOT, "%.2f", r.testAccuracy())).collect(Collectors.joining(", ")),
                    constraints(run.checks()),
                    String.join("\n", facts)));
            rows.add(row);
        }
        return rows;
    }

    /** PASS, or FAIL naming the rules that failed. */
    static String constraints(List<ConstraintCheck.Line> checks) {
        List<String> failed = new ArrayList<>();
        for (int i = 0; i < checks.size(); i++) {
            if (!checks.get(i).pass()) {
                failed.add(i < SHORT_NAMES.size() ? SHORT_NAMES.get(i) : checks.get(i).text());
            }
        }
        return failed.isEmpty() ? "PASS" : "FAIL (" + String.join(", ", failed) + ")";
    }

    private static byte[] overlay(List<Entry> entries) {
        List<String> names = new ArrayList<>();
        List<List<EpochResult>> runs = new ArrayList<>();
        for (Entry e : entries) {
            // XChart refuses two series of one name, so equal labels get their position added
            names.add(names.contains(e.label()) ? e.label() + " (" + (names.size() + 1) + ")" : e.label());
            runs.add(e.run().epochs());
        }
        double target = entries.get(0).run().experiment().recipe().constraints().targetAccuracy();
        return Charts.overlay(names, runs, target);
    }
}
