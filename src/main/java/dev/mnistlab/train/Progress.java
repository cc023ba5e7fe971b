package dev.mnistlab.train;

import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Per-epoch progress: a live bar on a terminal, one plain line per epoch otherwise (CI, files). */
public final class Progress {

    private final PrintStream out;
    private final boolean terminal;
    private ProgressBar bar;
    private String label;
    private long started;

    public Progress(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    public void start(String label, int batches) {
        this.label = label;
        this.started = System.nanoTime();
        if (terminal) {
            bar = new ProgressBarBuilder().setTaskName(label).setInitialMax(batches)
                    .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK).showSpeed().setUpdateIntervalMillis(250)
                    .continuousUpdate().build();
        }
    }

    public void step(double loss, double accuracy) {
        if (bar != null) {
            bar.step();
            bar.setExtraMessage(String.format(Locale.ROOT, " Loss=%.4f Accuracy=%.2f", loss, accuracy));
        }
    }

    public void finish(int batches, double loss, double accuracy) {
        double seconds = (System.nanoTime() - started) / 1e9;
        if (bar != null) {
            bar.close();
            bar = null;
        } else {
            out.printf(Locale.ROOT, "%s: Loss=%.4f Accuracy=%.2f %d batches in %.1f s (%.1f it/s)%n",
                    label, loss, accuracy, batches, seconds, batches / seconds);
        }
    }
}
