package dev.mnistlab.infer;

import dev.mnistlab.MnistlabException;
import java.awt.Graphics2D;
import java.awt.Image;
import java.awt.RenderingHints;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Brings an arbitrary image of one digit into MNIST's form, the way MNIST itself was made: greyscale, white
 * digit on black (inverted when the digit is dark on light), cropped to the digit, scaled to fit 20x20 keeping
 * its aspect, and placed in 28x28 so that its centre of mass is at the centre.
 *
 * <p>A 28x28 single-channel greyscale image is taken to be in MNIST's form already (as the IDX files store
 * it) and is used pixel for pixel, only inverted when its border is light. So a test image written out as a
 * greyscale PNG gives exactly the tensor it came from.
 */
public final class MnistForm {

    public static final int SIZE = 28;
    public static final int BOX = 20;
    /** Below this much contrast between digit and background there is no digit to find. */
    private static final double MIN_CONTRAST = 0.1;
    /** Ink fainter than this (after stretching to 0..1) does not count towards the digit's bounding box. */
    private static final double INK = 0.2;

    private MnistForm() {}

    /**
     * The largest image read, in pixels a side and in all: a 24-megapixel photo fits. Decoding takes up to
     * about 20 bytes a pixel (the decoded image, its grey copy, the crop), so this bounds one image to about
     * half a gigabyte. The header's size is checked before any pixel is decoded, so an image bomb (a small file
     * declaring, say, 30000x30000) is refused without the memory it asks for.
     */
    public static final int MAX_SIDE = 16_384;
    public static final long MAX_PIXELS = 25_000_000;

    /** An image whose header declares more than {@link #MAX_SIDE} or {@link #MAX_PIXELS}. */
    public static final class TooLarge extends MnistlabException {
        TooLarge(String message) {
            super(message);
        }
    }

    /** Pixels in [0, 1], row-major 28x28, from an image file ImageIO can read (PNG, JPEG, GIF, BMP). */
    public static float[] read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new MnistlabException(file + ": cannot read the image (" + e.getMessage() + ")", e);
        }
        return decode(bytes, file.toString());
    }

    /** As {@link #read(Path)} for encoded image bytes; {@code what} names them in errors. */
    public static float[] decode(byte[] bytes, String what) {
        return of(image(bytes, what), what);
    }

    /** Decodes the first image as ImageIO.read does, after checking the size its header declares. */
    private static BufferedImage image(byte[] bytes, String what) {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new MnistlabException(what + ": not an image format Java can read; use PNG, JPEG, GIF or BMP");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                checkSize(reader.getWidth(0), reader.getHeight(0), what);
                return reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (MnistlabException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // decoders meet malformed input with IIOException but also with runtime exceptions
            throw new MnistlabException(what + ": not a readable image (" + e.getMessage() + "); use PNG, JPEG, GIF or BMP", e);
        }
    }

    private static void checkSize(int width, int height, String what) {
        if (width > MAX_SIDE || height > MAX_SIDE || (long) width * height > MAX_PIXELS) {
            throw new TooLarge(String.format(Locale.ROOT, "%s: the image is %dx%d pixels; images may have at most %d pixels a side "
                    + "and %d megapixels in all (scale it down first)", what, width, height, MAX_SIDE, MAX_PIXELS / 1_000_000));
        }
    }

    public static float[] of(BufferedImage image, String what) {
        if (isMnistForm(image)) {
            return asIs(image);
        }
        int w = image.getWidth();
        int h = image.getHeight();
        double[] ink = grey(image);
        double background = borderMedian(ink, w, h);
        if (background > 0.5) {
            for (int i = 0; i < ink.length; i++) {
                ink[i] = 1 - ink[i];
            }
            background = 1 - background;
        }
        double max = Arrays.stream(ink).max().orElse(0);
        if (max - background < MIN_CONTRAST) {
            throw new MnistlabException(what + ": no digit found (the image is blank or has almost no contrast)");
        }
        // stretch so the background is 0 and the strongest stroke 1, as in MNIST
        for (int i = 0; i < ink.length; i++) {
            ink[i] = Math.min(1, Math.max(0, (ink[i] - background) / (max - background)));
        }
        int[] box = boundingBox(ink, w, h);
        BufferedImage digit = scaled(ink, w, box);
        return centred(digit);
    }

    /** 28x28 with one 8-bit grey channel and no alpha: how MNIST images are stored. */
    static boolean isMnistForm(BufferedImage image) {
        Raster r = image.getRaster();
        return image.getWidth() == SIZE && image.getHeight() == SIZE && r.getNumBands() == 1
                && image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && r.getSampleModel().getSampleSize(0) == 8;
    }

    private static float[] asIs(BufferedImage image) {
        int[] samples = image.getRaster().getPixels(0, 0, SIZE, SIZE, (int[]) null);
        double[] grey = new double[samples.length];
        for (int i = 0; i < samples.length; i++) {
            grey[i] = samples[i] / 255.0;
        }
        boolean invert = borderMedian(grey, SIZE, SIZE) > 0.5;
        float[] out = new float[samples.length];
        for (int i = 0; i < samples.length; i++) {
            // the same expression as BatchStream.unitPixels, so the floats are identical
            out[i] = (invert ? 255 - samples[i] : samples[i]) / 255f;
        }
        return out;
    }

    /**
     * Luminance in [0, 1]. Grey images are read from their samples (getRGB would gamma-convert them);
     * transparent pixels are composited over white.
     */
    private static double[] grey(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        double[] out = new double[w * h];
        Raster r = image.getRaster();
        boolean greyModel = image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY;
        boolean alpha = image.getColorModel().hasAlpha();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double v;
                double a;
                if (greyModel) {
                    v = r.getSample(x, y, 0) / (double) ((1 << r.getSampleModel().getSampleSize(0)) - 1);
                    a = alpha ? r.getSample(x, y, 1) / (double) ((1 << r.getSampleModel().getSampleSize(1)) - 1) : 1;
                } else {
                    int argb = image.getRGB(x, y);
                    v = (0.299 * (argb >> 16 & 0xff) + 0.587 * (argb >> 8 & 0xff) + 0.114 * (argb & 0xff)) / 255.0;
                    a = (argb >>> 24) / 255.0;
                }
                out[y * w + x] = a * v + (1 - a);
            }
        }
        return out;
    }

    /** The background's level: the median of the outermost pixels, robust to a digit touching an edge. */
    private static double borderMedian(double[] v, int w, int h) {
        double[] border = new double[2 * w + 2 * h];
        int n = 0;
        for (int x = 0; x < w; x++) {
            border[n++] = v[x];
            border[n++] = v[(h - 1) * w + x];
        }
        for (int y = 0; y < h; y++) {
            border[n++] = v[y * w];
            border[n++] = v[y * w + w - 1];
        }
        Arrays.sort(border, 0, n);
        return border[n / 2];
    }

    /** {x0, y0, x1, y1} (exclusive ends) of the pixels holding ink. */
    private static int[] boundingBox(double[] ink, int w, int h) {
        int x0 = w, y0 = h, x1 = 0, y1 = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (ink[y * w + x] > INK) {
                    x0 = Math.min(x0, x);
                    y0 = Math.min(y0, y);
                    x1 = Math.max(x1, x + 1);
                    y1 = Math.max(y1, y + 1);
                }
            }
        }
        return new int[] {x0, y0, x1, y1};
    }

    /**
     * The cropped digit scaled so its longer side is 20. Grey is kept in all three channels of an RGB image
     * because Java2D converts TYPE_BYTE_GRAY non-linearly when drawing.
     */
    private static BufferedImage scaled(double[] ink, int w, int[] box) {
        int cw = box[2] - box[0];
        int ch = box[3] - box[1];
        BufferedImage crop = new BufferedImage(cw, ch, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < ch; y++) {
            for (int x = 0; x < cw; x++) {
                int g = (int) Math.round(ink[(box[1] + y) * w + box[0] + x] * 255);
                crop.setRGB(x, y, g << 16 | g << 8 | g);
            }
        }
        double factor = (double) BOX / Math.max(cw, ch);
        int sw = Math.max(1, (int) Math.round(cw * factor));
        int sh = Math.max(1, (int) Math.round(ch * factor));
        BufferedImage out = new BufferedImage(sw, sh, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        if (factor < 1) {
            // area averaging anti-aliases a large digit instead of dropping most of its pixels
            g.drawImage(crop.getScaledInstance(sw, sh, Image.SCALE_AREA_AVERAGING), 0, 0, null);
        } else {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(crop, 0, 0, sw, sh, null);
        }
        g.dispose();
        return out;
    }

    /** Places the digit in 28x28 with its centre of mass on the centre (13.5, 13.5), kept inside the frame. */
    private static float[] centred(BufferedImage digit) {
        int w = digit.getWidth();
        int h = digit.getHeight();
        int[] v = new int[w * h];
        double sum = 0, sx = 0, sy = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                v[y * w + x] = digit.getRGB(x, y) >> 16 & 0xff;
                sum += v[y * w + x];
                sx += x * v[y * w + x];
                sy += y * v[y * w + x];
            }
        }
        int ox = clamp((int) Math.round(13.5 - sx / sum), 0, SIZE - w);
        int oy = clamp((int) Math.round(13.5 - sy / sum), 0, SIZE - h);
        float[] out = new float[SIZE * SIZE];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                out[(oy + y) * SIZE + ox + x] = v[y * w + x] / 255f;
            }
        }
        return out;
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
