package dev.mnistlab.data;

import dev.mnistlab.MnistlabException;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** Reads MNIST IDX files (raw or gzip, detected by content) with checks that name the offending file. */
public final class IdxReader {

    public static final int IMAGES_MAGIC = 0x00000803;
    public static final int LABELS_MAGIC = 0x00000801;

    private IdxReader() {
    }

    public static Split read(String name, Path images, Path labels) {
        Idx img = readIdx(images, IMAGES_MAGIC, "image", 3);
        Idx lab = readIdx(labels, LABELS_MAGIC, "label", 1);
        if (img.dims[0] != lab.dims[0]) {
            throw new MnistlabException(images + " holds " + img.dims[0] + " images but " + labels + " holds "
                    + lab.dims[0] + " labels; use image and label files from the same MNIST split");
        }
        for (int i = 0; i < lab.data.length; i++) {
            if (lab.data[i] < 0 || lab.data[i] >= MnistData.CLASSES) {
                throw new MnistlabException(labels + ": label " + i + " is " + (lab.data[i] & 0xFF)
                        + ", expected 0-9 (MNIST has 10 classes); the file is not MNIST or is corrupt, replace it");
            }
        }
        return new Split(name, img.data, lab.data, img.dims[0], img.dims[1], img.dims[2]);
    }

    private record Idx(int[] dims, byte[] data) {
    }

    /** Opens a file, gunzipping it if it starts with the gzip magic 0x1f8b whatever its name. */
    static InputStream open(Path file) throws IOException {
        BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            try {
                return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
            } catch (IOException e) {
                in.close();
                throw e;
            }
        }
        return in;
    }

    static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    private static Idx readIdx(Path file, int magic, String kind, int rank) {
        if (!Files.isRegularFile(file)) {
            throw new MnistlabException("MNIST " + kind + " file not found: " + file
                    + "; put the MNIST files there or pass --data-dir DIR");
        }
        int headerBytes = 4 + 4 * rank;
        try (InputStream in = open(file)) {
            byte[] header = in.readNBytes(headerBytes);
            if (header.length >= 4 && readInt(header, 0) != magic) {
                throw new MnistlabException(file + " is not an IDX " + kind + " file (magic "
                        + hex(readInt(header, 0)) + ", expected " + hex(magic) + "); check which file goes where");
            }
            if (header.length < headerBytes) {
                throw truncated(file, headerBytes, header.length);
            }
            int[] dims = new int[rank];
            long size = 1;
            for (int d = 0; d < rank; d++) {
                dims[d] = readInt(header, 4 + 4 * d);
                if (dims[d] <= 0) {
                    throw new MnistlabException(file + ": IDX header dimension " + d + " is " + dims[d]
                            + ", expected > 0; the file is corrupt, replace it");
                }
                size *= dims[d];
            }
            if (size > Integer.MAX_VALUE - 16) {
                throw new MnistlabException(file + ": IDX header claims " + size + " bytes, too large for MNIST; the file is corrupt, replace it");
            }
            byte[] data = new byte[(int) size];
            int got = in.readNBytes(data, 0, data.length);
            if (got < data.length) {
                throw truncated(file, headerBytes + size, headerBytes + (long) got);
            }
            if (in.read() != -1) {
                // Extra bytes mean the header and the content disagree; trusting either would be a guess.
                throw new MnistlabException(file + " is longer than its IDX header says (" + (headerBytes + size)
                        + " bytes expected); the file is corrupt, replace it");
            }
            return new Idx(dims, data);
        } catch (ZipException | EOFException e) {
            throw new MnistlabException(file + " is not a readable gzip file (" + e.getMessage()
                    + "); delete it and download it again, or use the uncompressed file", e);
        } catch (IOException e) {
            throw new MnistlabException("cannot read " + file + ": " + e.getMessage() + "; check permissions", e);
        }
    }

    private static MnistlabException truncated(Path file, long expected, long actual) {
        return new MnistlabException(file + " is truncated: header says " + expected + " bytes, file has " + actual
                + "; delete it and download it again");
    }

    private static int readInt(byte[] b, int off) {
        return (b[off] & 0xFF) << 24 | (b[off + 1] & 0xFF) << 16 | (b[off + 2] & 0xFF) << 8 | (b[off + 3] & 0xFF);
    }

    static String hex(int v) {
        return String.format("0x%08x", v);
    }
}
