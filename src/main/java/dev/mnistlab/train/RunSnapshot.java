package dev.mnistlab.train;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistlab.AtomicFiles;
import dev.mnistlab.FolderLock;
import dev.mnistlab.Folders;
import dev.mnistlab.MnistlabException;
import dev.mnistlab.YamlFiles;
import dev.mnistlab.data.MnistData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a stopped run needs to continue anywhere: its experiment.yaml and run.yaml, the metrics of the epochs its
 * checkpoint covers, and the checkpoint's bytes. A study store keeps one per trial, so a trial stopped on one
 * machine is resumed on another by {@link #restore restoring} it into a run folder and resuming that folder.
 *
 * @param epoch the finished epochs the checkpoint holds
 */
public record RunSnapshot(int epoch, String experimentYaml, String runInfoYaml, List<EpochResult> epochs,
                          byte[] checkpoint) {

    /**
     * The folder's run after its last checkpoint, or null when it has none yet. Safe while the run trains:
     * every file is replaced whole, and metrics.csv (written before the checkpoint) is cut to its epochs.
     */
    public static RunSnapshot read(Path dir) {
        try {
            byte[] checkpoint = Files.readAllBytes(dir.resolve(RunFolder.CHECKPOINT));
            int epoch = Checkpoint.epochOf(checkpoint);
            List<EpochResult> epochs = EpochResult.readAll(dir);
            if (epoch < 1 || epochs.size() < epoch) {
                return null;
            }
            return new RunSnapshot(epoch, Files.readString(dir.resolve(RunFolder.EXPERIMENT)),
                    Files.readString(dir.resolve(RunFolder.RUN_INFO)), List.copyOf(epochs.subList(0, epoch)), checkpoint);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new MnistlabException("cannot read the run in " + dir + " (" + Folders.reason(e) + ")");
        }
    }

    /**
     * True when this run is what a trial of {@code experimentYaml} on that split would train: the same model and
     * recipe (seed included; names and descriptions aside), the same validation split and training-set limit, one
     * thread, as a worker trains. Such a run, finished or stopped, is the trial's progress; seeds fix the rest.
     */
    public boolean trains(String experimentYaml, Integer validation, Integer limitTrain) {
        JsonNode mine = resolved(this.experimentYaml, RunFolder.EXPERIMENT);
        JsonNode wanted = resolved(experimentYaml, "the trial's experiment");
        JsonNode info = YamlFiles.parse(runInfoYaml, RunFolder.RUN_INFO);
        return mine.path("model").equals(wanted.path("model")) && mine.path("recipe").equals(wanted.path("recipe"))
                && same(info.path("validation"), validation) && same(info.path("train_limit"), limitTrain)
                && info.path("threads").asInt(-1) == 1;
    }

    /** The experiment as this version reads it, every default filled in: a file an older version wrote compares equal. */
    private static JsonNode resolved(String yaml, String where) {
        try {
            return YamlFiles.parse(YamlFiles.write(Experiment.of(YamlFiles.parse(yaml, where), where, "run")), where);
        } catch (MnistlabException e) {
            return YamlFiles.parse(yaml, where); // not readable as an experiment now: compared as written
        }
    }

    private static boolean same(JsonNode value, Integer expected) {
        return expected == null ? !value.isNumber() : value.isNumber() && value.asInt() == expected;
    }

    /**
     * Makes {@code dir} hold exactly this run, stopped after {@link #epoch()}, for {@code train --resume}: what
     * was there before is removed. Refused while another process holds the folder.
     */
    public void restore(Path dir) {
        try (FolderLock lock = FolderLock.acquire(dir)) {
            empty(dir);
            boolean validating = YamlFiles.parse(runInfoYaml, RunFolder.RUN_INFO).path("validation").isNumber();
            StringBuilder csv = new StringBuilder(EpochResult.csvHeader(validating ? MnistData.VALIDATION : "test")).append('\n');
            epochs.forEach(e -> csv.append(e.csvLine()).append('\n'));
            AtomicFiles.write(dir.resolve(RunFolder.EXPERIMENT), experimentYaml);
            AtomicFiles.write(dir.resolve(RunFolder.RUN_INFO), runInfoYaml);
            AtomicFiles.write(dir.resolve(RunFolder.METRICS), csv.toString());
            AtomicFiles.write(dir.resolve(RunFolder.CHECKPOINT), checkpoint);
        } catch (IOException e) {
            throw new MnistlabException("cannot write the run into " + dir + " (" + Folders.reason(e) + ")");
        }
    }

    /**
     * Makes {@code dir} an empty folder for a run that starts from nothing: an older run there (another trial's,
     * from an earlier store with the same folders) must not be taken for its progress. Refused while another
     * process holds the folder.
     */
    public static void clear(Path dir) {
        try (FolderLock lock = FolderLock.acquire(dir)) {
            empty(dir);
        } catch (IOException e) {
            throw new MnistlabException("cannot empty " + dir + " (" + Folders.reason(e) + ")");
        }
    }

    private static void empty(Path dir) throws IOException {
        try (Stream<Path> old = Files.list(dir)) {
            old.filter(p -> !p.getFileName().toString().equals(FolderLock.FILE)).forEach(Folders::deleteQuietly);
        }
    }
}
