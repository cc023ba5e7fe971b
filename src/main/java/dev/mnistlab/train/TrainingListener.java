package dev.mnistlab.train;

/**
 * What a {@link Training} tells while it runs. Training itself prints nothing; the command line's
 * {@link Progress} prints these events, a library user may log or ignore them. Every method does nothing
 * unless overridden, and all are called on the thread that called {@link Training#run()}.
 */
public interface TrainingListener {

    /** Listens to nothing. */
    TrainingListener NONE = new TrainingListener() { };

    /** The run is recorded in {@code dir} (experiment.yaml, run.yaml) and about to train or resume. */
    default void runStarted(java.nio.file.Path dir) {
    }

    /** The run's checkpoint is now after {@code epoch}: a stop from here on can be resumed from it. */
    default void checkpointed(int epoch) {
    }

    /** Epoch {@code epoch} of {@code epochs} starts its pass over the training set, in {@code batches} batches. */
    default void epochStarted(int epoch, int epochs, int batches) {
    }

    /**
     * Batch {@code batch} (from 1; the epoch's last one has the number given to {@link #epochStarted}) took
     * its optimizer step. Loss and accuracy (a percentage) are the means over the epoch's images so far.
     */
    default void batchDone(int batch, double runningLoss, double runningAccuracy) {
    }

    /**
     * The epoch is trained, evaluated and recorded in metrics.csv; its checkpoint follows. {@code evaluation}
     * is the pass over the test or validation split ({@link Evaluation#split()} says which).
     */
    default void epochDone(EpochResult result, Evaluation evaluation) {
    }

    /** Something worth one line, e.g. that the run resumes after epoch N. */
    default void note(String message) {
    }
}
