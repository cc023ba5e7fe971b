package dev.mnistlab.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistlab.MnistlabException;
import dev.mnistlab.YamlFiles;
import dev.mnistlab.train.ConstraintCheck;
import dev.mnistlab.train.EpochResult;
import dev.mnistlab.train.Experiment;
import dev.mnistlab.train.RunFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * What a finished run folder holds, read back from its files. experiment.yaml and metrics.csv are
 * required; lr.csv, predictions.csv and run.yaml are optional (older runs lack them) and are listed in
 * {@link #missing()} so reports can say what they could not show.
 */
public record RunData(Path dir, Experiment experiment, List<EpochResult> epochs, List<LrRow> lr,
                      List<Prediction> predictions, JsonNode runInfo, List<String> missing) {

    /** One row of lr.csv: the values used for global batch {@code step} (from 0). */
    public record LrRow(long step, int epoch, double lr, double momentum) {}

    /** One row of predictions.csv; {@code confidence} is the softmax probability of {@code predicted}. */
    public record Prediction(int index, int label, int predicted, double confidence) {
        public boolean wrong() {
            return label != predicted;
        }
    }

    public static RunData load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new MnistlabException(dir + ": no such run folder");
        }
        Path experimentFile = dir.resolve(RunFolder.EXPERIMENT);
        if (!Files.isRegularFile(experimentFile)) {
            throw new MnistlabException(dir + " has no " + RunFolder.EXPERIMENT + "; give the folder of a run written by 'mnistlab train'");
        }
        Experiment experiment = Experiment.file(experimentFile);
        List<EpochResult> epochs = csvLines(dir.resolve(RunFolder.METRICS), 7, EpochResult::parse);
        if (epochs == null || epochs.isEmpty()) {
            throw new MnistlabException(dir + " has no finished epoch in " + RunFolder.METRICS + "; let the run finish at least one epoch");
        }
        List<String> missing = new ArrayList<>();
        List<LrRow> lr = csv(dir.resolve(RunFolder.LR), 4, f -> new LrRow(Long.parseLong(f[0]), Integer.parseInt(f[1]),
                Double.parseDouble(f[2]), Double.parseDouble(f[3])));
        List<Prediction> predictions = csv(dir.resolve(RunFolder.PREDICTIONS), 4, f -> new Prediction(Integer.parseInt(f[0]),
                Integer.parseInt(f[1]), Integer.parseInt(f[2]), Double.parseDouble(f[3])));
        JsonNode info = Files.isRegularFile(dir.resolve(RunFolder.RUN_INFO)) ? YamlFiles.read(dir.resolve(RunFolder.RUN_INFO)) : null;
        if (lr == null) {
            missing.add(RunFolder.LR);
        }
        if (predictions == null) {
            missing.add(RunFolder.PREDICTIONS);
        }
        if (info == null) {
            missing.add(RunFolder.RUN_INFO);
        }
        return new RunData(dir, experiment, List.copyOf(epochs), lr == null ? List.of() : List.copyOf(lr),
                predictions == null ? List.of() : List.copyOf(predictions), info, List.copyOf(missing));
    }

    /** The run's name as the user sees it: the experiment's name, else the folder's. */
    public String name() {
        return experiment.name();
    }

    /** Trainable parameters as the spec counts them (run.yaml's value agrees; the spec is always there). */
    public long params() {
        return experiment.spec().trace().trainableParameters();
    }

    /** The constraint lines, the accuracy one naming the split metrics.csv was evaluated on. */
    public List<ConstraintCheck.Line> checks() {
        return ConstraintCheck.check(params(), epochs, experiment.recipe().constraints(), EpochResult.split(dir));
    }

    /** A run.yaml value as text, or null when run.yaml or the key is absent. */
    public String info(String key) {
        return runInfo != null && runInfo.hasNonNull(key) ? runInfo.get(key).asText() : null;
    }

    /** Parses a CSV with a header; null when the file is absent, one clear line when a row is broken. */
    private static <T> List<T> csv(Path file, int columns, Function<String[], T> row) {
        return csvLines(file, columns, line -> row.apply(line.split(",", -1)));
    }

    private static <T> List<T> csvLines(Path file, int columns, Function<String, T> row) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new MnistlabException("cannot read " + file + " (" + e.getMessage() + ")");
        }
        List<T> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            try {
                if (line.split(",", -1).length != columns) {
                    throw new IllegalArgumentException("expected " + columns + " columns");
                }
                rows.add(row.apply(line));
            } catch (RuntimeException e) {
                throw new MnistlabException(file + " line " + (i + 1) + ": cannot read '" + line + "' (" + e.getMessage()
                        + "); the file is damaged, re-run training to rewrite it");
            }
        }
        return rows;
    }
}
