package dev.mnistlab.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Just enough of ustar to read an npm tarball: 512-byte headers, octal sizes, regular files only. */
final class Tar {

    interface Visitor {
        /** {@code body} yields exactly the entry's bytes; it need not be read to the end or closed. */
        void file(String name, long size, InputStream body) throws IOException;
    }

    private Tar() {
    }

    static void forEachFile(InputStream in, Visitor visitor) throws IOException {
        byte[] h = new byte[512];
        while (true) {
            int n = in.readNBytes(h, 0, 512);
            if (n == 0 || n == 512 && allZero(h)) {
                return;
            }
            if (n < 512) {
                throw new EOFException("tar archive cut short inside a header");
            }
            if (octal(h, 148, 8) != checksum(h)) {
                throw new IOException("tar header checksum mismatch (not a tar archive or corrupt)");
            }
            String name = text(h, 0, 100);
            if ("ustar".equals(text(h, 257, 6).trim())) {
                String prefix = text(h, 345, 155);
                if (!prefix.isEmpty()) {
                    name = prefix + "/" + name;
                }
            }
            long size = octal(h, 124, 12);
            byte type = h[156];
            Bounded body = new Bounded(in, size);
            if (type == '0' || type == 0) {
                visitor.file(name, size, body);
            }
            in.skipNBytes(body.remaining + (512 - size % 512) % 512);
        }
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    /** Header checksum: unsigned byte sum with the checksum field itself counted as spaces. */
    private static long checksum(byte[] h) {
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += i >= 148 && i < 156 ? ' ' : h[i] & 0xFF;
        }
        return sum;
    }

    private static String text(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static long octal(byte[] b, int off, int len) throws IOException {
        String s = text(b, off, len).trim();
        try {
            return s.isEmpty() ? 0 : Long.parseLong(s, 8);
        } catch (NumberFormatException e) {
            throw new IOException("tar header has a bad octal number '" + s + "'");
        }
    }

    private static final class Bounded extends InputStream {
        private final InputStream in;
        long remaining;

        Bounded(InputStream in, long size) {
            this.in = in;
            this.remaining = size;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = in.read();
            if (b < 0) {
                throw new EOFException("tar entry cut short");
            }
            remaining--;
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(buf, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw new EOFException("tar entry cut short");
            }
            remaining -= n;
            return n;
        }

        @Override
        public void close() {
            // The tar stream outlives its entries.
        }
    }
}
