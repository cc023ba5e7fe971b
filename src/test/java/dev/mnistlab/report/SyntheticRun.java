package dev.mnistlab.report;

import dev.mnistlab.train.EpochResult;
import dev.mnistlab.train.Experiment;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Writes a complete run folder as training does, without training: seed001's experiment, 15 epochs of
 * plausible metrics, a per-batch lr trace, predictions for a small synthetic test set (written as IDX
 * files, named by run.yaml's data_dir) of which every 13th is wrong.
 */
public final class SyntheticRun {

    static final int TEST_IMAGES = 300;
    static final int BATCHES_PER_EPOCH = 20;

    private SyntheticRun() {}

    public static Path write(Path dir) throws IOException {
        return write(dir, "seed001", 0.0);
    }

    /** {@code lift} is added to every test accuracy, to make runs that differ. */
    public static Path write(Path dir, String preset, double lift) throws IOException {
        Files.createDirectories(dir);
        Experiment exp = Experiment.preset(preset);
        Files.writeString(dir.resolve("experiment.yaml"), exp.toYaml());
        StringBuilder metrics = new StringBuilder(EpochResult.CSV_HEADER).append('\n');
        StringBuilder lr = new StringBuilder("step,epoch,lr,momentum\n");
        for (int epoch = 1; epoch <= 15; epoch++) {
            double rate = 0.05 * Math.pow(0.1, (epoch - 1) / 6);
            double test = Math.min(99.6, 98.3 + 0.09 * epoch + lift);
            metrics.append(new EpochResult(epoch, rate, 0.3 / epoch, 92 + 0.48 * epoch, 0.05 / epoch, test, 30).csvLine()).append('\n');
            for (int b = 0; b < BATCHES_PER_EPOCH; b++) {
                lr.append((epoch - 1) * BATCHES_PER_EPOCH + b).append(',').append(epoch).append(',').append(rate).append(",0.9\n");
            }
        }
        Files.writeString(dir.resolve("metrics.csv"), metrics);
        Files.writeString(dir.resolve("lr.csv"), lr);
        StringBuilder predictions = new StringBuilder("index,label,predicted,confidence\n");
        for (int i = 0; i < TEST_IMAGES; i++) {
            int label = i % 10;
            boolean wrong = i % 13 == 5;
            predictions.append(String.format(Locale.ROOT, "%d,%d,%d,%.4f%n", i, label, wrong ? (label + 3) % 10 : label,
                    wrong ? 0.4 + (i % 7) * 0.08 : 0.99));
        }
        Files.writeString(dir.resolve("predictions.csv"), predictions);
        Path mnist = dir.resolve("mnist");
        writeMnist(mnist, TEST_IMAGES);
        Files.writeString(dir.resolve("run.yaml"), "params: 7753\nthreads: 1\nseed: 1\nstatus: finished\ndata_dir: "
                + mnist.toAbsolutePath() + "\n");
        Files.writeString(dir.resolve("summary.txt"), "synthetic\n");
        return dir;
    }

    /** A data folder of {@code count} 28x28 images with labels i % 10: each a bar whose position is its label. */
    static void writeMnist(Path dir, int count) throws IOException {
        Files.createDirectories(dir);
        ByteBuffer images = ByteBuffer.allocate(16 + count * 784).putInt(0x803).putInt(count).putInt(28).putInt(28);
        ByteBuffer labels = ByteBuffer.allocate(8 + count).putInt(0x801).putInt(count);
        for (int i = 0; i < count; i++) {
            int label = i % 10;
            for (int k = 0; k < 784; k++) {
                int row = k / 28;
                int col = k % 28;
                images.put((byte) (col >= 4 + 2 * label && col < 7 + 2 * label && row > 3 && row < 24 ? 255 : 0));
            }
            labels.put((byte) label);
        }
        for (String name : new String[] {"train-images-idx3-ubyte", "t10k-images-idx3-ubyte"}) {
            Files.write(dir.resolve(name), images.array());
        }
        for (String name : new String[] {"train-labels-idx1-ubyte", "t10k-labels-idx1-ubyte"}) {
            Files.write(dir.resolve(name), labels.array());
        }
    }
}
