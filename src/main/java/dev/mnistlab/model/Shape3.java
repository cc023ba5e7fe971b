package dev.mnistlab.model;

/** The shape of one sample flowing through the network: channels x height x width, or a flat vector. */
public record Shape3(int channels, int height, int width, boolean flat) {

    public static Shape3 map(int channels, int height, int width) {
        return new Shape3(channels, height, width, false);
    }

    public static Shape3 vector(int size) {
        return new Shape3(size, 1, 1, true);
    }

    public int size() {
        return channels * height * width;
    }

    /** As torchsummary prints it, with -1 for the batch. */
    public String torchString() {
        return flat ? "[-1, " + channels + "]" : "[-1, " + channels + ", " + height + ", " + width + "]";
    }

    @Override
    public String toString() {
        return flat ? String.valueOf(channels) : channels + "x" + height + "x" + width;
    }
}
