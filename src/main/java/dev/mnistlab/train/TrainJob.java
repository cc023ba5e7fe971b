package dev.mnistlab.train;

import dev.mnistlab.FolderLock;
import dev.mnistlab.Folders;
import dev.mnistlab.MnistlabException;
import dev.mnistlab.data.MnistData;
import dev.mnistlab.data.MnistSource;
import dev.mnistlab.model.ModelSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Carries out one {@link TrainRequest}: finds the data, creates (or reopens, to resume) the run folder and
 * trains. The one path every way of training takes: the API, {@code mnistlab train}, its child processes
 * for seed sweeps and searches, and journeys.
 */
public final class TrainJob {

    /** What a job did: the run folder and the training's result. */
    public record Outcome(RunFolder folder, Training.Result result) {}

    private TrainJob() {}

    /**
     * Trains what {@code request} asks for, holding its folder locked, and returns when the run finished or
     * paused.
     *
     * @param force a fresh run may replace an existing run in its folder
     * @param listener hears the run's notes, epochs and batches
     */
    public static Outcome run(TrainRequest request, boolean force, TrainingListener listener) {
        if (!request.resume()) {
            request.experiment().requireTrainable(); // refused before anything is made on disk
        }
        Path dir = request.run() != null ? request.run() : RunFolder.defaultDir(request.experiment().name());
        TrainRequest located = request.withRun(dir);
        boolean existed = Files.exists(dir);
        // the folder is ours from before its files are looked at until the training ends
        FolderLock lock = FolderLock.acquire(dir);
        try (lock) {
            Training training;
            try {
                training = located.resume() ? resume(located, listener) : fresh(located, force, listener);
            } catch (RuntimeException e) {
                if (!existed) {
                    Folders.deleteQuietly(dir); // nothing was trained: leave no empty folder behind
                }
                throw e;
            }
            Training.Result result = training.run();
            return new Outcome(RunFolder.existing(dir), result);
        }
    }

    private static Training fresh(TrainRequest r, boolean force, TrainingListener listener) {
        Experiment exp = r.experiment();
        Recipe recipe = exp.recipe();
        long params = exp.spec().trace().trainableParameters();
        EngineThreads.configure(r.threads());
        MnistData data = MnistSource.load(r.dataDir(), listener::note).select(r.validation(), r.limitTrain());
        RunFolder folder = RunFolder.create(r.run(), exp.name(), force);
        listener.note(String.format(Locale.ROOT, "Training %s: %s trainable parameters, %d epochs, batch %d, seed %d -> %s",
                exp.name(), ModelSummary.thousands(params), recipe.epochs(), recipe.batchSize(), recipe.seed(), folder.dir()));
        if (data.validating()) {
            listener.note(String.format(Locale.ROOT, "Validating on the last %,d training images; the test set is not used",
                    data.test().count()));
        }
        return configured(new Training(exp, data, folder), r, listener);
    }

    private static Training resume(TrainRequest r, TrainingListener listener) {
        RunFolder folder = RunFolder.existing(r.run());
        RunState state = RunState.of(folder.dir());
        if (!state.holds(r.experiment())) {
            throw new MnistlabException(folder.dir() + " holds a run of another model or recipe than "
                    + r.experiment().name() + "; continue it with --resume alone, or train into another folder");
        }
        if (!state.resumable()) {
            throw new MnistlabException(folder.dir() + " has no checkpoint (no epoch finished yet); start the run again");
        }
        Experiment exp = Experiment.file(folder.file(RunFolder.EXPERIMENT));
        RunInfo info = RunInfo.read(folder);
        Integer requested = r.threads();
        if (requested != null && requested != info.threads()) {
            listener.note(String.format(Locale.ROOT,
                    "Note: the run used %d threads; with %d the digits will differ from an uninterrupted run",
                    info.threads(), requested));
        }
        TrainRequest resolved = r.withThreads(requested != null ? requested : info.threads());
        EngineThreads.configure(resolved.threads());
        Path dir = r.dataDir() != null ? r.dataDir() : Path.of(info.dataDir());
        MnistData data = MnistSource.read(dir, "run.yaml data_dir").select(info.validation(), info.trainLimit());
        return configured(new Training(exp, data, folder).resuming(), resolved, listener);
    }

    private static Training configured(Training training, TrainRequest r, TrainingListener listener) {
        training.reportingTo(listener);
        if (r.threads() != null) {
            training.onThreads(r.threads());
        }
        if (r.stopAfter() != null) {
            training.stoppingAfter(r.stopAfter());
        }
        return training;
    }
}
