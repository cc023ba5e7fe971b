package dev.mnistlab.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistlab.data.MnistData;
import dev.mnistlab.data.MnistSource;
import dev.mnistlab.model.YamlFiles;
import dev.mnistlab.train.Experiment;
import dev.mnistlab.train.Progress;
import dev.mnistlab.train.RunFolder;
import dev.mnistlab.train.Training;
import java.io.IOException;
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
    /** Training's checkpoint file (its constant is package-private to training). */
    static final String CHECKPOINT = "checkpoint.bin";

    private final Path out;
    private final Path dataDir;
    private final PrintStream log;
    private MnistData data;

    public JourneyRunner(Path out, Path dataDir, PrintStream log) {
        this.out = out;
        this.dataDir = dataDir;
        this.log = log;
    }

    public List<Comparison.Entry> run(Journey journey) {
        List<Comparison.Entry> entries = new ArrayList<>();
        for (Journey.Step step : journey.steps()) {
            Path dir = out.resolve(step.folder());
            State state = state(dir, step.experiment());
            log.printf("Step %s: %s%n", step.label(), switch (state) {
                case FINISHED -> "reusing the finished run in " + dir;
                case STOPPED -> "resuming the stopped run in " + dir + " from its last checkpoint";
                case NONE -> "training in " + dir;
            });
            if (state != State.FINISHED) {
                train(step, dir, state == State.STOPPED);
            }
            // a fresh run's report is rewritten, so an older run's report in the same folder cannot survive;
            // a reused run keeps its report unless it has none (runs from before reports existed)
            if (state != State.FINISHED || !Files.isRegularFile(dir.resolve(Reports.HTML))) {
                Reports.write(dir, log::println);
            }
            entries.add(new Comparison.Entry(step.label(), step.target(), RunData.load(dir)));
        }
        Comparison.write(out, JOURNAL, "Journey: " + journey.name(), journey.description(), entries, log::println);
        return entries;
    }

    /** What a step's folder holds: nothing usable, a stopped run of this very experiment, or a finished one. */
    enum State { NONE, STOPPED, FINISHED }

    static State state(Path dir, Experiment wanted) {
        if (!Files.isRegularFile(dir.resolve(RunFolder.EXPERIMENT))) {
            return State.NONE;
        }
        Experiment done = Experiment.file(dir.resolve(RunFolder.EXPERIMENT));
        boolean same = done.spec().source().equals(wanted.spec().source())
                && YamlFiles.MAPPER.valueToTree(done.recipe()).equals(YamlFiles.MAPPER.valueToTree(wanted.recipe()));
        if (!same) {
            return State.NONE;
        }
        Path info = dir.resolve(RunFolder.RUN_INFO);
        if (Files.isRegularFile(info)) {
            JsonNode status = YamlFiles.read(info).path("status");
            if (status.asText().equals("finished")) {
                return State.FINISHED;
            }
            return Files.isRegularFile(dir.resolve(CHECKPOINT)) ? State.STOPPED : State.NONE;
        }
        // runs from before run.yaml: summary.txt is written last, after every epoch is in metrics.csv
        return Files.isRegularFile(dir.resolve(RunFolder.SUMMARY)) && epochsIn(dir) == wanted.recipe().epochs
                ? State.FINISHED : State.NONE;
    }

    private static long epochsIn(Path dir) {
        try (var lines = Files.lines(dir.resolve(RunFolder.METRICS))) {
            return lines.filter(l -> !l.isBlank()).count() - 1;
        } catch (IOException e) {
            return -1;
        }
    }

    private void train(Journey.Step step, Path dir, boolean resume) {
        if (data == null) {
            data = MnistSource.load(dataDir, log::println);
        }
        if (resume) {
            new Training(step.experiment(), data, RunFolder.existing(dir)).reportingTo(progress()).resuming().run();
            return;
        }
        // the folder belongs to this journey step: an older run of another spec or recipe in it is replaced
        RunFolder folder = RunFolder.create(dir, step.name(), true);
        new Training(step.experiment(), data, folder).reportingTo(progress()).run();
    }

    private Progress progress() {
        return new Progress(log, System.console() != null);
    }
}
