package dev.mnistlab.train;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import dev.mnistlab.AtomicFiles;
import dev.mnistlab.YamlFiles;
import java.nio.file.Path;

/**
 * One training run, fully resolved: what {@code mnistlab train} does, whether its settings came from the
 * command line or from a request file ({@code train --request FILE}, how seed sweeps and searches start
 * their child processes). The parent writes the file from these resolved objects, so no option can be
 * lost on the way to a child.
 *
 * @param run        the run folder; null for runs/&lt;time&gt;-&lt;name&gt;
 * @param resume     continue the run in {@code run} from its checkpoint (its folder then decides the data split,
 *                   and must hold {@code experiment}); otherwise start it afresh there
 * @param validation hold out the last N training images and evaluate on them instead of the test set; null: no
 * @param limitTrain train on the first N training images only; null: all
 * @param stopAfter  pause after this epoch (the schedule still spans all epochs); null: train to the end
 * @param threads    compute threads; null: all cores (or, when resuming, the run's own count)
 * @param dataDir    MNIST folder; null: $MNISTLAB_DATA, then the cache (or, when resuming, the run's own)
 * @param experiment the model and its recipe, seed included
 */
public record TrainRequest(
        @JsonSerialize(using = ToStringSerializer.class) Path run,
        boolean resume,
        Integer validation,
        Integer limitTrain,
        Integer stopAfter,
        Integer threads,
        @JsonSerialize(using = ToStringSerializer.class) Path dataDir,
        Experiment experiment) {

    /** Start {@code experiment} afresh in {@code run}, on all training images and all cores. */
    public static TrainRequest start(Experiment experiment, Path run) {
        return new TrainRequest(run, false, null, null, null, null, null, experiment);
    }

    public static TrainRequest read(Path file) {
        return YamlFiles.bind(YamlFiles.read(file), TrainRequest.class, file.toString());
    }

    public void write(Path file) {
        AtomicFiles.write(file, YamlFiles.write(this));
    }

    public TrainRequest withRun(Path run) {
        return new TrainRequest(run, resume, validation, limitTrain, stopAfter, threads, dataDir, experiment);
    }

    public TrainRequest withExperiment(Experiment experiment) {
        return new TrainRequest(run, resume, validation, limitTrain, stopAfter, threads, dataDir, experiment);
    }

    public TrainRequest withResume(boolean resume) {
        return new TrainRequest(run, resume, validation, limitTrain, stopAfter, threads, dataDir, experiment);
    }

    public TrainRequest withValidation(Integer validation) {
        return new TrainRequest(run, resume, validation, limitTrain, stopAfter, threads, dataDir, experiment);
    }

    public TrainRequest withLimitTrain(Integer limitTrain) {
        return new TrainRequest(run, resume, validation, limitTrain, stopAfter, threads, dataDir, experiment);
    }

    public TrainRequest withStopAfter(Integer stopAfter) {
        return new TrainRequest(run, resume, validation, limitTrain, stopAfter, threads, dataDir, experiment);
    }

    public TrainRequest withThreads(Integer threads) {
        return new TrainRequest(run, resume, validation, limitTrain, stopAfter, threads, dataDir, experiment);
    }

    public TrainRequest withDataDir(Path dataDir) {
        return new TrainRequest(run, resume, validation, limitTrain, stopAfter, threads, dataDir, experiment);
    }
}
