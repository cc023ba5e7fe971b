package dev.mnistlab.search;

import dev.mnistlab.report.Comparison;
import dev.mnistlab.report.Journey;
import dev.mnistlab.report.Reports;
import dev.mnistlab.report.RunData;
import dev.mnistlab.train.Experiment;
import dev.mnistlab.train.Progress;
import dev.mnistlab.train.RunState;
import dev.mnistlab.train.TrainJob;
import dev.mnistlab.train.TrainRequest;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a journey's steps in order, each in its own run folder under {@code out}, and writes the
 * journal. A step whose folder already holds a finished run of the same spec and recipe is reused, so an
 * interrupted or extended journey only trains what is new.
 */
public final class JourneyRunner {

    public static final String JOURNAL = "journey";

    private final Path out;
    private final Path dataDir;
    private final Integer threads;
    private final PrintStream log;

    /** Steps train into {@code out} on {@code threads} threads (null: all cores), with data from {@code dataDir} (null: MNIST). */
    public JourneyRunner(Path out, Path dataDir, Integer threads, PrintStream log) {
        this.out = out;
        this.dataDir = dataDir;
        this.threads = threads;
        this.log = log;
    }

    public List<Comparison.Entry> run(Journey journey) {
        // every step is checked before the first one trains, with any --epochs applied
        journey.steps().forEach(step -> step.experiment().requireTrainable());
        List<Comparison.Entry> entries = new ArrayList<>();
        for (Journey.Step step : journey.steps()) {
            Path dir = out.resolve(step.folder());
            RunState.Status state = state(dir, step.experiment());
            log.printf("Step %s: %s%n", step.label(), switch (state) {
                case FINISHED -> "reusing the finished run in " + dir;
                case STOPPED -> "resuming the stopped run in " + dir + " from its last checkpoint";
                case NONE -> "training in " + dir;
            });
            if (state != RunState.Status.FINISHED) {
                train(step, dir, state == RunState.Status.STOPPED);
            }
            // a fresh run's report is rewritten, so an older run's report in the same folder cannot survive;
            // a reused run keeps its report unless it has none (runs from before reports existed)
            if (state != RunState.Status.FINISHED || !Files.isRegularFile(dir.resolve(Reports.HTML))) {
                Reports.write(dir, log::println);
            }
            entries.add(new Comparison.Entry(step.label(), step.target(), RunData.load(dir), step.reported()));
        }
        Comparison.write(out, JOURNAL, "Journey: " + journey.name(), journey.description(), entries, log::println);
        return entries;
    }

    /**
     * What a step's folder holds for {@code wanted}: a finished or stopped run of this very experiment, or
     * nothing usable (no run, or one of another spec or recipe, which a fresh run replaces).
     */
    static RunState.Status state(Path dir, Experiment wanted) {
        RunState state = RunState.of(dir);
        return state.holds(wanted) ? state.status() : RunState.Status.NONE;
    }

    private void train(Journey.Step step, Path dir, boolean resume) {
        // the folder belongs to this journey step: an older run of another spec or recipe in it is replaced
        TrainRequest request = TrainRequest.start(step.experiment(), dir).withResume(resume).withThreads(threads)
                .withDataDir(dataDir);
        TrainJob.run(request, true, new Progress(log, System.console() != null));
    }
}
