package dev.mnistlab.data;

import dev.mnistlab.MnistlabException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/** SHA-256 of the uncompressed canonical MNIST files; gzip or raw copies hash the same. */
public final class Checksums {

    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";

    public static final String TRAIN_IMAGES_SHA256 = "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db";
    public static final String TRAIN_LABELS_SHA256 = "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5";
    public static final String TEST_IMAGES_SHA256 = "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7";
    public static final String TEST_LABELS_SHA256 = "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2";

    /** File name (without .gz) to expected hash, in the order train images, train labels, test images, test labels. */
    public static final Map<String, String> EXPECTED;

    static {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(TRAIN_IMAGES, TRAIN_IMAGES_SHA256);
        m.put(TRAIN_LABELS, TRAIN_LABELS_SHA256);
        m.put(TEST_IMAGES, TEST_IMAGES_SHA256);
        m.put(TEST_LABELS, TEST_LABELS_SHA256);
        EXPECTED = java.util.Collections.unmodifiableMap(m);
    }

    private Checksums() {
    }

    /** Lower-case hex SHA-256 of the file's content, gunzipped first if it is gzip. */
    public static String sha256(Path file) {
        try (InputStream in = IdxReader.open(file)) {
            MessageDigest md = newDigest();
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new MnistlabException("cannot read " + file + " to check its SHA-256: " + e.getMessage()
                    + "; delete it and fetch it again", e);
        }
    }

    public static void verify(Path file, String expectedHex) {
        String actual = sha256(file);
        if (!actual.equalsIgnoreCase(expectedHex)) {
            throw new MnistlabException(file + " has SHA-256 " + actual + ", expected " + expectedHex
                    + "; the file is corrupt or not the canonical MNIST file, delete it and fetch it again");
        }
    }

    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
