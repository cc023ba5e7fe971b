package dev.mnistlab.model;

/**
 * One layer of an architecture after the spec's shorthand has been expanded.
 *
 * @param kind what the layer does
 * @param out output channels (conv) or units (linear); 0 where it does not apply
 * @param kernel kernel size (conv, pools); 0 where it does not apply
 * @param padding zero padding on each side
 * @param stride stride (conv, pools)
 * @param groups conv channel groups, as PyTorch's {@code groups}: 1 is an ordinary conv, the input's
 *               channel count a depthwise one
 * @param bias whether conv/linear carry a bias
 * @param rate dropout probability
 * @param slope LeakyReLU's negative slope
 * @param affine whether BatchNorm learns its scale and shift (PyTorch's {@code affine}); true elsewhere
 * @param origin where the layer came from in the spec, for messages ("layer 3 (block)")
 */
public record Layer(Kind kind, int out, int kernel, int padding, int stride, int groups, boolean bias, double rate,
                    double slope, boolean affine, String origin) {

    /** Layer kinds, named as torchsummary names PyTorch's modules. */
    public enum Kind {
        CONV("Conv2d"),
        RELU("ReLU"),
        SILU("SiLU"),
        GELU("GELU"),
        LEAKY_RELU("LeakyReLU"),
        BATCHNORM("BatchNorm2d"),
        DROPOUT("Dropout"),
        MAXPOOL("MaxPool2d"),
        AVGPOOL("AvgPool2d"),
        GAP("GlobalAvgPool2d"),
        FLATTEN("Flatten"),
        LINEAR("Linear"),
        SHUFFLE("ChannelShuffle");

        private final String torchName;

        Kind(String torchName) {
            this.torchName = torchName;
        }

        public String torchName() {
            return torchName;
        }

        /** Layers that change the spatial grid and so appear in the receptive-field table. */
        public boolean isSpatial() {
            return this == CONV || this == MAXPOOL || this == AVGPOOL || this == GAP;
        }
    }

    static Layer simple(Kind kind, String origin) {
        return new Layer(kind, 0, 0, 0, 1, 1, false, 0, 0, true, origin);
    }

    static Layer leakyRelu(double slope, String origin) {
        return new Layer(Kind.LEAKY_RELU, 0, 0, 0, 1, 1, false, 0, slope, true, origin);
    }

    /** BatchNorm, with or without its learnt scale and shift. */
    static Layer batchNorm(boolean affine, String origin) {
        return new Layer(Kind.BATCHNORM, 0, 0, 0, 1, 1, false, 0, 0, affine, origin);
    }
}
