package dev.mnistlab.report;

import dev.mnistlab.AtomicFiles;
import dev.mnistlab.MnistlabException;
import dev.mnistlab.data.MnistData;
import dev.mnistlab.data.MnistSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Entry point: (re)generates a run folder's plots, report.md and report.html from its files. */
public final class Reports {

    public static final String MARKDOWN = "report.md";
    public static final String HTML = "report.html";

    static {
        // plots are drawn off-screen; this keeps AWT from reaching for a display where DISPLAY happens to be set
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private Reports() {}

    /** Writes every report file of {@code runDir}, each atomically; what cannot be shown is named in the log and the page. */
    public static void write(Path runDir, Consumer<String> log) {
        RunData run = RunData.load(runDir);
        List<String> notes = new ArrayList<>();
        if (!run.missing().isEmpty()) {
            notes.add("This run folder has no " + String.join(", ", run.missing()) + " (written by newer versions of training); "
                    + "the parts that need " + (run.missing().size() == 1 ? "it" : "them") + " are left out.");
        }
        List<Plot> plots;
        try {
            plots = plots(run, notes);
        } catch (MnistlabException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new MnistlabException("cannot draw the plots of " + runDir + ": " + e, e);
        }
        notes.forEach(note -> log.accept("report: " + note));
        for (Plot plot : plots) {
            AtomicFiles.write(runDir.resolve(plot.file()), plot.png());
        }
        AtomicFiles.write(runDir.resolve(MARKDOWN), RunReport.build(run, plots, notes, new MarkdownDoc()));
        AtomicFiles.write(runDir.resolve(HTML), RunReport.build(run, plots, notes, new HtmlDoc()));
        log.accept("report: wrote " + runDir.resolve(HTML) + " and " + MARKDOWN + " with " + plots.size() + " plots");
    }

    static List<Plot> plots(RunData run, List<String> notes) {
        double target = run.experiment().recipe().constraints().targetAccuracy();
        List<Plot> plots = new ArrayList<>();
        plots.add(new Plot("accuracy.png", "train and test accuracy per epoch",
                Charts.accuracy(run.epochs(), target)));
        plots.add(new Plot("loss.png", "train and test loss per epoch", Charts.loss(run.epochs())));
        plots.add(new Plot("lr.png", "learning rate", run.lr().isEmpty()
                ? Charts.learningRatePerEpoch(run.epochs()) : Charts.learningRate(run.lr())));
        if (run.predictions().isEmpty()) {
            return plots;
        }
        plots.add(new Plot("confusion.png", "confusion matrix", Charts.confusion(Confusion.matrix(run.predictions()))));
        List<RunData.Prediction> mistakes = Confusion.mistakes(run.predictions(), MisclassifiedGrid.MAX);
        try {
            MnistData data = mnist(run);
            plots.add(new Plot("misclassified.png", "misclassified test digits",
                    MisclassifiedGrid.png(mistakes, data.test(), Confusion.wrong(run.predictions()))));
        } catch (MnistlabException e) {
            notes.add("No misclassified.png: " + e.getMessage());
        }
        return plots;
    }

    /** The MNIST folder the run used (run.yaml's data_dir), else the usual search (cache, download). */
    private static MnistData mnist(RunData run) {
        String dir = run.info("data_dir");
        if (dir != null && Files.isDirectory(Path.of(dir))) {
            return MnistSource.read(Path.of(dir), "run.yaml data_dir");
        }
        return MnistSource.load(null, message -> { });
    }
}
