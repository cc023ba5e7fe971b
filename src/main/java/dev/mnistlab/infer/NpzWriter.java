package dev.mnistlab.infer;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * NumPy's .npz: a zip holding one .npy file per array (format 1.0: magic, a Python-literal header padded to
 * 64 bytes, then the raw little-endian data). Only float32 is needed for weights.
 */
public final class NpzWriter implements Closeable {

    private final ZipOutputStream zip;

    public NpzWriter(OutputStream out) {
        this.zip = new ZipOutputStream(out);
    }

    public void add(String name, long[] shape, float[] data) throws IOException {
        zip.putNextEntry(new ZipEntry(name + ".npy"));
        zip.write(npy(shape, data));
        zip.closeEntry();
    }

    static byte[] npy(long[] shape, float[] data) {
        String dims = shape.length == 1 ? shape[0] + ","
                : Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", "));
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
        int unpadded = 10 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        ByteBuffer buf = ByteBuffer.allocate(10 + header.length() + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        buf.putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII));
        buf.asFloatBuffer().put(data);
        return buf.array();
    }

    /** Writes the zip's directory, leaving the stream open (for a caller that syncs it before closing). */
    public void finish() throws IOException {
        zip.finish();
    }

    @Override
    public void close() throws IOException {
        zip.close();
    }
}
