package dev.mnistlab.train;

import dev.mnistlab.MnistlabException;
import dev.mnistlab.data.MnistData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * One line of metrics.csv. Accuracies are percentages. {@code testLoss} and {@code testAccuracy} are measured on
 * the run's evaluation split: the test set, or under {@code --validation} the images held out of the training
 * set, which metrics.csv's header then names {@code val_loss} and {@code val_acc} (see {@link #split(Path)}).
 */
public record EpochResult(int epoch, double lr, double trainLoss, double trainAccuracy,
                          double testLoss, double testAccuracy, double seconds) {

    public static final String CSV_HEADER = "epoch,lr,train_loss,train_acc,test_loss,test_acc,seconds";
    private static final String VALIDATION_HEADER = "epoch,lr,train_loss,train_acc,val_loss,val_acc,seconds";

    /** metrics.csv's header for a run evaluated on {@code split} ("test" or "validation"). */
    public static String csvHeader(String split) {
        return MnistData.VALIDATION.equals(split) ? VALIDATION_HEADER : CSV_HEADER;
    }

    /** The split a run folder's metrics.csv was evaluated on, read from its header: "validation" or "test". */
    public static String split(Path runDir) {
        Path file = runDir.resolve(RunFolder.METRICS);
        try (var lines = Files.lines(file)) {
            return lines.findFirst().filter(VALIDATION_HEADER::equals).map(h -> MnistData.VALIDATION).orElse("test");
        } catch (IOException e) {
            return "test";
        }
    }

    public String csvLine() {
        return String.format(Locale.ROOT, "%d,%.6g,%.6f,%.4f,%.6f,%.4f,%.2f",
                epoch, lr, trainLoss, trainAccuracy, testLoss, testAccuracy, seconds);
    }

    /** The epoch with the best test (or validation) accuracy; the earliest one on a tie. */
    public static EpochResult best(List<EpochResult> epochs) {
        return epochs.stream().max(Comparator.comparingDouble(EpochResult::testAccuracy)
                .thenComparing(Comparator.comparingInt(EpochResult::epoch).reversed())).orElseThrow();
    }

    /** The epochs recorded in a run folder's metrics.csv so far; none when it has no such file yet. */
    public static List<EpochResult> readAll(Path runDir) {
        Path file = runDir.resolve(RunFolder.METRICS);
        try {
            return !Files.exists(file) ? List.of()
                    : Files.readAllLines(file).stream().skip(1).filter(l -> !l.isBlank()).map(EpochResult::parse).toList();
        } catch (IOException e) {
            throw new MnistlabException("cannot read " + file + " (" + e.getMessage() + ")");
        }
    }

    public static EpochResult parse(String line) {
        String[] f = line.split(",");
        return new EpochResult(Integer.parseInt(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5]), Double.parseDouble(f[6]));
    }
}
