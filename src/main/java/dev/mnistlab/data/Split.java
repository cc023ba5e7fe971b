package dev.mnistlab.data;

/**
 * One MNIST split as read from disk: {@code count} images of {@code rows x cols} unsigned bytes, row-major,
 * and one label (0..9) per image. The arrays are shared, not copied (60,000 images are 47 MB).
 */
public record Split(String name, byte[] pixels, byte[] labels, int count, int rows, int cols) {

    public Split {
        if (pixels.length != (long) count * rows * cols || labels.length != count) {
            throw new IllegalArgumentException("split " + name + ": array sizes do not match " + count + " x " + rows + "x" + cols);
        }
    }

    /** The first {@code n} samples, for quick experiments; the split itself when it has no more. */
    public Split first(int n) {
        return n >= count ? this : slice(name, 0, n);
    }

    /** Samples {@code from .. from+n-1} under another name, e.g. a validation set held out of the training set. */
    public Split slice(String sliceName, int from, int n) {
        if (from < 0 || n < 1 || from + n > count) {
            throw new IllegalArgumentException("split " + name + " has " + count + " samples, not " + from + ".." + (from + n));
        }
        int size = rows * cols;
        return new Split(sliceName, java.util.Arrays.copyOfRange(pixels, from * size, (from + n) * size),
                java.util.Arrays.copyOfRange(labels, from, from + n), n, rows, cols);
    }

    public int imageSize() {
        return rows * cols;
    }

    /** Pixel {@code index} (row-major) of {@code image}, 0..255. */
    public int pixel(int image, int index) {
        return pixels[image * imageSize() + index] & 0xFF;
    }

    public int label(int image) {
        return labels[image];
    }
}
