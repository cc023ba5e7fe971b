package dev.mnistlab.train;

import dev.mnistlab.MnistlabException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** One line of metrics.csv. Accuracies are percentages. */
public record EpochResult(int epoch, double lr, double trainLoss, double trainAccuracy,
                          double testLoss, double testAccuracy, double seconds) {

    public static final String CSV_HEADER = "epoch,lr,train_loss,train_acc,test_loss,test_acc,seconds";

    public String csvLine() {
        return String.format(Locale.ROOT, "%d,%.6g,%.6f,%.4f,%.6f,%.4f,%.2f",
                epoch, lr, trainLoss, trainAccuracy, testLoss, testAccuracy, seconds);
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
