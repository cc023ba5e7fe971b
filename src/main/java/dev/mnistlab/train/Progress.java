package dev.mnistlab.train;

import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The command line's view of a training run: per epoch a live bar on a terminal, one plain line
 * otherwise (CI, files), then the write-ups' "Test set: ..." line; notes as they come.
 */
public final class Progress implements TrainingListener {

    private final PrintStream out;
    private final boolean terminal;
    private ProgressBar bar;
    private String label;
    private int batches;
    private long started;

    public Progress(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    @Override
    public void epochStarted(int epoch, int epochs, int batches) {
        this.label = String.format(Locale.ROOT, "Epoch %d/%d", epoch, epochs);
        this.batches = batches;
        this.started = System.nanoTime();
        if (terminal) {
            bar = new ProgressBarBuilder().setTaskName(label).setInitialMax(batches)
                    .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK).showSpeed().setUpdateIntervalMillis(250)
                    .continuousUpdate().build();
        }
    }

    @Override
    public void batchDone(int batch, double runningLoss, double runningAccuracy) {
        if (bar != null) {
            bar.step();
            bar.setExtraMessage(String.format(Locale.ROOT, " Loss=%.4f Accuracy=%.2f", runningLoss, runningAccuracy));
        }
        if (batch == batches) {
            finish(runningLoss, runningAccuracy);
        }
    }

    /** The training pass is over (evaluation follows): close the bar, or print the epoch's line. */
    private void finish(double loss, double accuracy) {
        double seconds = (System.nanoTime() - started) / 1e9;
        if (bar != null) {
            bar.close();
            bar = null;
        } else {
            out.printf(Locale.ROOT, "%s: Loss=%.4f Accuracy=%.2f %d batches in %.1f s (%.1f it/s)%n",
                    label, loss, accuracy, batches, seconds, batches / seconds);
        }
    }

    @Override
    public void epochDone(EpochResult result, Evaluation evaluation) {
        out.println(evaluation.line());
    }

    @Override
    public void note(String message) {
        out.println(message);
    }
}
