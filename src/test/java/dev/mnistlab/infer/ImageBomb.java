package dev.mnistlab.infer;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;

/**
 * Image bombs made small: a real 8x8 image written by ImageIO whose header is then patched to declare
 * {@code width x height}. A decoder that trusts the header allocates the declared size (30000x30000 grey is
 * 900 MB) before it finds that the pixel data is missing.
 */
final class ImageBomb {

    static final String[] FORMATS = {"png", "jpeg", "gif", "bmp"};

    private ImageBomb() {}

    static byte[] of(String format, int width, int height) throws IOException {
        // grey, one byte a pixel: 30000x30000 stays under Java's 2 GB raster limit, so the decoder does try
        BufferedImage small = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(small, format, out)) {
            throw new IllegalStateException("no ImageIO writer for " + format);
        }
        byte[] b = out.toByteArray();
        switch (format) {
            case "png" -> png(b, width, height);
            case "jpeg" -> jpeg(b, width, height);
            case "gif" -> gif(b, width, height);
            case "bmp" -> bmp(b, width, height);
            default -> throw new IllegalArgumentException(format);
        }
        return b;
    }

    /** IHDR is the first chunk: width and height big-endian at 16 and 20, its CRC (over type and data) at 29. */
    private static void png(byte[] b, int width, int height) {
        ByteBuffer bb = ByteBuffer.wrap(b);
        bb.putInt(16, width).putInt(20, height);
        CRC32 crc = new CRC32();
        crc.update(b, 12, 17);
        bb.putInt(29, (int) crc.getValue());
    }

    /** The start-of-frame segment (FFC0 for baseline): length, precision, then height and width big-endian. */
    private static void jpeg(byte[] b, int width, int height) {
        for (int i = 2; i + 8 < b.length; i++) {
            if ((b[i] & 0xff) == 0xff && (b[i + 1] & 0xff) == 0xc0) {
                ByteBuffer.wrap(b).putShort(i + 5, (short) height).putShort(i + 7, (short) width);
                return;
            }
        }
        throw new IllegalStateException("no SOF0 segment");
    }

    /** The logical screen (at 6) and the first image descriptor, after the colour table and any extensions. */
    private static void gif(byte[] b, int width, int height) {
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        bb.putShort(6, (short) width).putShort(8, (short) height);
        int i = 13 + ((b[10] & 0x80) != 0 ? 3 << ((b[10] & 7) + 1) : 0);
        while (b[i] == 0x21) { // extension: introducer, label, then sub-blocks ending in a 0 length
            i += 2;
            while (b[i] != 0) {
                i += (b[i] & 0xff) + 1;
            }
            i++;
        }
        if (b[i] != 0x2c) {
            throw new IllegalStateException("no image descriptor");
        }
        bb.putShort(i + 5, (short) width).putShort(i + 7, (short) height);
    }

    /** BITMAPINFOHEADER: width and height little-endian at 18 and 22. */
    private static void bmp(byte[] b, int width, int height) {
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(18, width).putInt(22, height);
    }
}
