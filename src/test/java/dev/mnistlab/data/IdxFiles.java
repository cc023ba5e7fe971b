package dev.mnistlab.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Builds small synthetic IDX files for tests. */
final class IdxFiles {

    static final int N = 5;
    static final int SIDE = 28;

    private IdxFiles() {
    }

    /** Image i has pixel k = (i * 31 + k) mod 256, so unsigned values up to 255 occur. */
    static byte[] images(int count, int rows, int cols) {
        ByteBuffer b = ByteBuffer.allocate(16 + count * rows * cols);
        b.putInt(IdxReader.IMAGES_MAGIC).putInt(count).putInt(rows).putInt(cols);
        for (int i = 0; i < count; i++) {
            for (int k = 0; k < rows * cols; k++) {
                b.put((byte) (i * 31 + k));
            }
        }
        return b.array();
    }

    static byte[] labels(int... values) {
        ByteBuffer b = ByteBuffer.allocate(8 + values.length);
        b.putInt(IdxReader.LABELS_MAGIC).putInt(values.length);
        for (int v : values) {
            b.put((byte) v);
        }
        return b.array();
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (OutputStream o = new GZIPOutputStream(bo)) {
            o.write(data);
        }
        return bo.toByteArray();
    }

    static Path write(Path dir, String name, byte[] data) throws IOException {
        return Files.write(dir.resolve(name), data);
    }

    /** Writes a complete synthetic MNIST folder: train and test each with N images. */
    static void writeDataset(Path dir, boolean gz) throws IOException {
        byte[] img = images(N, SIDE, SIDE);
        byte[] lab = labels(0, 1, 2, 3, 9);
        for (String n : new String[] {Checksums.TRAIN_IMAGES, Checksums.TEST_IMAGES}) {
            write(dir, gz ? n + ".gz" : n, gz ? gzip(img) : img);
        }
        for (String n : new String[] {Checksums.TRAIN_LABELS, Checksums.TEST_LABELS}) {
            write(dir, gz ? n + ".gz" : n, gz ? gzip(lab) : lab);
        }
    }
}
