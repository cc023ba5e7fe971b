package dev.mnistlab.train;

import dev.mnistlab.YamlFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a run folder holds, read from its files: the one answer that resume, seed sweeps, journeys and
 * searches use to decide between reusing a run, continuing it and starting it afresh.
 *
 * @param dir    the folder
 * @param status how far its run got
 */
public record RunState(Path dir, Status status) {

    /** How far a folder's run got. */
    public enum Status {
        /** Nothing to reuse or continue: no run, or one that stopped before its first checkpoint. */
        NONE,
        /** Stopped (paused, interrupted or killed) after a checkpoint: training can continue from it. */
        STOPPED,
        /** Every epoch done and the outputs written. */
        FINISHED
    }

    public static RunState of(Path dir) {
        return new RunState(dir, status(dir));
    }

    private static Status status(Path dir) {
        if (!Files.isRegularFile(dir.resolve(RunFolder.EXPERIMENT))) {
            return Status.NONE;
        }
        Path info = dir.resolve(RunFolder.RUN_INFO);
        boolean checkpoint = Files.isRegularFile(dir.resolve(RunFolder.CHECKPOINT));
        if (Files.isRegularFile(info)) {
            if (RunInfo.FINISHED.equals(YamlFiles.read(info).path("status").asText())) {
                return Status.FINISHED;
            }
            return checkpoint ? Status.STOPPED : Status.NONE;
        }
        // runs from before run.yaml (and checkpoints, which came with it): summary.txt is written last,
        // after every epoch is in metrics.csv
        return !checkpoint && Files.isRegularFile(dir.resolve(RunFolder.SUMMARY))
                && epochsIn(dir) == Experiment.file(dir.resolve(RunFolder.EXPERIMENT)).recipe().epochs()
                ? Status.FINISHED : Status.NONE;
    }

    /** Whether the folder records a run at all (its experiment.yaml), however far it got. */
    public boolean recorded() {
        return Files.isRegularFile(dir.resolve(RunFolder.EXPERIMENT));
    }

    /**
     * Whether {@code train --resume} can continue here: the run record and a checkpoint are on disk (a
     * stopped run, or a finished one, which a resume evaluates again).
     */
    public boolean resumable() {
        return Files.isRegularFile(dir.resolve(RunFolder.RUN_INFO)) && Files.isRegularFile(dir.resolve(RunFolder.CHECKPOINT));
    }

    /**
     * Whether the folder's run is of {@code wanted}: the same model and recipe (seed included), whatever
     * the names and descriptions. A recorded experiment is read as any experiment file is, so a setting
     * added since it was written takes its default on both sides.
     */
    public boolean holds(Experiment wanted) {
        if (!recorded()) {
            return false;
        }
        Experiment done = Experiment.file(dir.resolve(RunFolder.EXPERIMENT));
        return done.spec().source().equals(wanted.spec().source()) && done.recipe().equals(wanted.recipe());
    }

    private static long epochsIn(Path dir) {
        try (var lines = Files.lines(dir.resolve(RunFolder.METRICS))) {
            return lines.filter(l -> !l.isBlank()).count() - 1;
        } catch (IOException e) {
            return -1;
        }
    }
}
