package dev.mnistlab.cli;

import dev.mnistlab.api.Run;
import dev.mnistlab.train.EpochResult;
import dev.mnistlab.train.Evaluation;
import dev.mnistlab.train.Progress;
import dev.mnistlab.train.TrainingListener;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * A training as the command line shows it: the progress bar and the write-ups' lines on standard output,
 * and, if the user stops it (Ctrl-C, SIGTERM), one line saying what is left to resume. The line is only for a
 * stop: a training that returns or fails has said what there is to say.
 */
final class CliTraining implements TrainingListener {

    private final Progress progress = new Progress(System.out, System.console() != null);
    private volatile Path folder;
    private volatile int lastCheckpoint;

    /** Runs {@code training} with this listener and the stop message in place. */
    static Run watch(Function<TrainingListener, Run> training) {
        CliTraining watcher = new CliTraining();
        Thread onStop = new Thread(watcher::sayWhatIsLeft);
        Runtime.getRuntime().addShutdownHook(onStop);
        try {
            return training.apply(watcher);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(onStop);
            } catch (IllegalStateException shuttingDown) {
                // stopped by a signal: the hook is running and says what is left
            }
        }
    }

    private void sayWhatIsLeft() {
        if (folder == null) {
            return;
        }
        System.err.println(lastCheckpoint == 0
                ? "\nStopped before the first epoch finished: nothing to resume in " + folder
                : "\nStopped. The last good checkpoint is after epoch " + lastCheckpoint + " in " + folder
                        + "; continue with: ./mnistlab train --resume " + folder);
    }

    @Override
    public void runStarted(Path dir) {
        folder = dir;
    }

    @Override
    public void epochStarted(int epoch, int epochs, int batches) {
        progress.epochStarted(epoch, epochs, batches);
    }

    @Override
    public void batchDone(int batch, double runningLoss, double runningAccuracy) {
        progress.batchDone(batch, runningLoss, runningAccuracy);
    }

    @Override
    public void epochDone(EpochResult result, Evaluation evaluation) {
        progress.epochDone(result, evaluation);
    }

    @Override
    public void checkpointed(int epoch) {
        lastCheckpoint = epoch;
    }

    @Override
    public void note(String message) {
        progress.note(message);
    }
}
