package dev.mnistlab.api;

import dev.mnistlab.data.MnistData;
import dev.mnistlab.data.MnistSource;
import dev.mnistlab.infer.MnistForm;
import dev.mnistlab.infer.Prediction;
import dev.mnistlab.infer.TorchExport;
import dev.mnistlab.infer.TrainedModel;
import dev.mnistlab.report.Reports;
import dev.mnistlab.train.ConstraintCheck;
import dev.mnistlab.train.EpochResult;
import dev.mnistlab.train.Evaluation;
import dev.mnistlab.train.RunFolder;
import dev.mnistlab.train.RunInfo;
import dev.mnistlab.train.RunState;
import java.nio.file.Path;
import java.util.List;

/**
 * A run folder: what {@link Mnistlab#train} wrote, or any folder {@code ./mnistlab train} wrote. Reads
 * what is on disk when asked, so a run that is still training shows its epochs so far.
 */
public final class Run {

    private final RunFolder folder;
    private final Experiment experiment;

    private Run(RunFolder folder) {
        this.folder = folder;
        this.experiment = Experiment.of(dev.mnistlab.train.Experiment.file(folder.file(RunFolder.EXPERIMENT)));
    }

    /** An existing run folder (finished, paused or stopped). */
    public static Run open(Path dir) {
        return new Run(RunFolder.existing(dir));
    }

    static Run of(RunFolder folder) {
        return new Run(folder);
    }

    /** The run folder. */
    public Path dir() {
        return folder.dir();
    }

    /** The model and recipe the run trained, as recorded in its experiment.yaml. */
    public Experiment experiment() {
        return experiment;
    }

    /** Whether it finished, paused after an epoch as asked, or stopped (see {@link RunState.Status}). */
    public RunState.Status status() {
        return RunState.of(folder.dir()).status();
    }

    /** True when every epoch is done and the outputs are written. */
    public boolean finished() {
        return status() == RunState.Status.FINISHED;
    }

    /** Trainable parameters, as PyTorch counts them. */
    public long parameters() {
        return experiment.model().parameters();
    }

    /** metrics.csv: one row per finished epoch (accuracies in percent). */
    public List<EpochResult> epochs() {
        return EpochResult.readAll(folder.dir());
    }

    /** The recipe's constraints applied to the epochs so far: PASS/FAIL lines for params, epochs, accuracy. */
    public List<ConstraintCheck.Line> checks() {
        return ConstraintCheck.check(parameters(), epochs(), experiment.recipe().constraints());
    }

    /** True when the run finished and every constraint passed. */
    public boolean passed() {
        return finished() && ConstraintCheck.allPass(checks());
    }

    /** Evaluates the final weights on MNIST's test set (from the cache, fetched on first use). */
    public Evaluation evaluate() {
        return evaluate(null);
    }

    /** Evaluates the final weights on the test split of the IDX files in {@code dataDir} (null: MNIST). */
    public Evaluation evaluate(Path dataDir) {
        MnistData data = MnistSource.load(dataDir, line -> { });
        try (TrainedModel model = model()) {
            return model.evaluate(data.test());
        }
    }

    /** The digit in an image file (PNG, JPEG, GIF, BMP), brought into MNIST's form first. */
    public Prediction predict(Path image) {
        return predict(MnistForm.read(image));
    }

    /** The digit in 28x28 pixels in [0, 1], white on black, row by row. */
    public Prediction predict(float[] unitPixels) {
        try (TrainedModel model = model()) {
            return model.predict(unitPixels);
        }
    }

    /**
     * The trained model loaded for many predictions ({@code predict}, {@code logits}); close it when done.
     * The folder must hold a finished run's weights.
     */
    public TrainedModel model() {
        return TrainedModel.load(folder.dir());
    }

    /**
     * Writes weights.npz and model.py (a PyTorch script that rebuilds and evaluates the model) into {@code to},
     * all or nothing; a folder holding other files is refused unless {@code force}.
     */
    public List<Path> export(Path to, boolean force) {
        try (TrainedModel model = model()) {
            return TorchExport.write(model, to, force);
        }
    }

    /** (Re)writes the run's plots, report.md and report.html; returns report.html. */
    public Path report() {
        return report(line -> { });
    }

    /** The same, telling {@code log} what it wrote and what it had to leave out. */
    public Path report(java.util.function.Consumer<String> log) {
        Reports.write(folder.dir(), log);
        return folder.dir().resolve(Reports.HTML);
    }

    /** What the run evaluated on each epoch: "test", or "validation" when it held out training images. */
    public String evaluationSplit() {
        return RunInfo.read(folder).validation() == null ? "test" : "validation";
    }

    @Override
    public String toString() {
        return experiment.name() + " in " + dir() + " (" + status() + ", " + epochs().size() + " epochs)";
    }
}
