package dev.mnistlab.model;

import dev.mnistlab.MnistlabException;
import dev.mnistlab.data.MnistData;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Walks a spec from its input shape, checking every layer can be applied, and records each layer's
 * output shape and trainable parameters (as PyTorch counts them: BatchNorm's running statistics are
 * buffers, not parameters).
 */
public final class ShapeTrace {

    /**
     * Training holds about this many times a batch's activations: autograd keeps every layer's output for
     * backward, and backward allocates gradients as large. Measured 1.9x: a 300-channel 28x28 conv at batch 512
     * took 1.8 GB above the idle process for 0.97 GB of activations.
     */
    public static final int BACKWARD_FACTOR = 2;

    private static final int FLOAT_BYTES = 4;

    /** One row of the trace. */
    public record Step(int index, Layer layer, Shape3 in, Shape3 out, long params) {

        /** The row's name in torchsummary's table, e.g. "Conv2d-1"; BatchNorm over a flat vector is BatchNorm1d. */
        public String torchName() {
            String module = layer.kind() == Layer.Kind.BATCHNORM && in.flat() ? "BatchNorm1d" : layer.kind().torchName();
            return module + "-" + index;
        }
    }

    private final List<Step> steps;
    private final Shape3 output;

    private ShapeTrace(List<Step> steps, Shape3 output) {
        this.steps = List.copyOf(steps);
        this.output = output;
    }

    public List<Step> steps() {
        return steps;
    }

    public Shape3 output() {
        return output;
    }

    /**
     * Floating-point operations of one image's forward pass in the conv and linear layers (a multiply-add
     * counts 2); BatchNorm, ReLU, pooling and dropout add a few percent and are left out.
     */
    public long forwardFlops() {
        long flops = 0;
        for (Step s : steps) {
            Layer l = s.layer();
            if (l.kind() == Layer.Kind.CONV) {
                flops += 2L * l.kernel() * l.kernel() * s.in().channels() / l.groups() * s.out().size();
            } else if (l.kind() == Layer.Kind.LINEAR) {
                flops += 2L * s.in().size() * l.out();
            }
        }
        return flops;
    }

    /** Bytes of one image's float32 activations: its input and every layer's output. */
    public long activationBytesPerImage() {
        long values = steps.get(0).in().size() + steps.stream().mapToLong(s -> s.out().size()).sum();
        return FLOAT_BYTES * values;
    }

    /** Bytes training a batch of {@code batchSize} images holds in activations: {@link #BACKWARD_FACTOR} x theirs. */
    public long trainingActivationBytes(int batchSize) {
        return saturatedProduct(BACKWARD_FACTOR * (long) batchSize, activationBytesPerImage());
    }

    /**
     * Refuses a model whose training batch would need more than {@code limitBytes} of activations, naming
     * the layer with the largest output (the one to shrink) before anything is allocated.
     *
     * @param limitNote where the limit comes from, for the message (e.g. "50% of this machine's 16.0 GB")
     */
    public void requireActivationsFit(int batchSize, long limitBytes, String limitNote) {
        long need = trainingActivationBytes(batchSize);
        if (need <= limitBytes) {
            return;
        }
        Step largest = steps.stream().max(Comparator.comparingLong(s -> s.out().size())).orElseThrow();
        long its = saturatedProduct(BACKWARD_FACTOR * (long) batchSize, (long) FLOAT_BYTES * largest.out().size());
        throw new MnistlabException(String.format(Locale.ROOT,
                "%s: training a batch of %d images needs about %s of activations (this layer's output %s: %s of them), "
                        + "more than %s (%s); use fewer channels, shrink the map sooner (stride or pool) or lower batch_size",
                largest.layer().origin(), batchSize, gigabytes(need), largest.out(), gigabytes(its), gigabytes(limitBytes),
                limitNote));
    }

    private static long saturatedProduct(long a, long b) {
        return b != 0 && a > Long.MAX_VALUE / b ? Long.MAX_VALUE : a * b;
    }

    private static String gigabytes(long bytes) {
        return String.format(Locale.ROOT, "%,.1f GB", bytes / 1e9);
    }

    public long trainableParameters() {
        return steps.stream().mapToLong(Step::params).sum();
    }

    static ShapeTrace of(ModelSpec spec) {
        List<Step> steps = new ArrayList<>();
        Shape3 shape = spec.input();
        requireCountable(shape, "spec '" + spec.name() + "': the input");
        for (Layer layer : spec.layers()) {
            Shape3 out = apply(layer, shape);
            requireCountable(out, layer.origin() + ": the output");
            steps.add(new Step(steps.size() + 1, layer, shape, out, params(layer, shape)));
            shape = out;
        }
        boolean tenOutputs = shape.channels() == MnistData.CLASSES && shape.height() == 1 && shape.width() == 1;
        if (!tenOutputs) {
            String last = steps.isEmpty() ? "the input" : steps.get(steps.size() - 1).layer().origin();
            throw new MnistlabException(
                    "spec '" + spec.name() + "': the network must end in " + MnistData.CLASSES
                            + " outputs, but " + last + " gives " + shape
                            + "; end with a 1x1 conv or linear layer of 10 after pooling to 1x1");
        }
        return new ShapeTrace(steps, shape);
    }

    private static Shape3 apply(Layer layer, Shape3 in) {
        return switch (layer.kind()) {
            case CONV -> {
                requireMap(layer, in);
                if (in.channels() % layer.groups() != 0 || layer.out() % layer.groups() != 0) {
                    throw new MnistlabException(layer.origin() + ": groups " + layer.groups() + " must divide both the "
                            + in.channels() + " input and the " + layer.out() + " output channels (depthwise: groups = "
                            + "out = input channels)");
                }
                yield Shape3.map(layer.out(), slide(layer, in.height(), layer.kernel(), layer.padding(), layer.stride()),
                        slide(layer, in.width(), layer.kernel(), layer.padding(), layer.stride()));
            }
            case MAXPOOL, AVGPOOL -> {
                requireMap(layer, in);
                yield Shape3.map(in.channels(), slide(layer, in.height(), layer.kernel(), 0, layer.stride()),
                        slide(layer, in.width(), layer.kernel(), 0, layer.stride()));
            }
            case GAP -> {
                requireMap(layer, in);
                yield Shape3.map(in.channels(), 1, 1);
            }
            case FLATTEN -> Shape3.vector(in.size());
            case LINEAR -> {
                if (!in.flat()) {
                    throw new MnistlabException(layer.origin() + ": linear needs a flat input but gets " + in
                            + "; add '- flatten' before it (or use a 1x1 conv)");
                }
                yield Shape3.vector(layer.out());
            }
            case SHUFFLE -> {
                requireMap(layer, in);
                if (in.channels() % layer.groups() != 0) {
                    throw new MnistlabException(layer.origin() + ": shuffle groups " + layer.groups() + " must divide the "
                            + in.channels() + " channels; use the groups of the grouped conv before it");
                }
                yield in;
            }
            case RELU, LEAKY_RELU, SILU, GELU, BATCHNORM, DROPOUT -> in;
        };
    }

    /** Sizes are ints (as DJL's and PyTorch's per-sample element counts are); a shape past that is refused. */
    private static void requireCountable(Shape3 shape, String what) {
        if ((long) shape.channels() * shape.height() * shape.width() > Integer.MAX_VALUE) {
            throw new MnistlabException(String.format(Locale.ROOT, "%s %s has %,d values per image, more than %,d",
                    what, shape, (long) shape.channels() * shape.height() * shape.width(), Integer.MAX_VALUE));
        }
    }

    private static long params(Layer layer, Shape3 in) {
        return switch (layer.kind()) {
            case CONV -> (long) layer.out() * (in.channels() / layer.groups()) * layer.kernel() * layer.kernel()
                    + (layer.bias() ? layer.out() : 0);
            case LINEAR -> (long) layer.out() * in.size() + (layer.bias() ? layer.out() : 0);
            // without affine, PyTorch's BatchNorm has no parameters (DJL keeps a frozen scale and shift, not trained)
            case BATCHNORM -> layer.affine() ? 2L * in.channels() : 0;
            default -> 0;
        };
    }

    private static int slide(Layer layer, int size, int kernel, int padding, int stride) {
        int out = Math.floorDiv(size + 2 * padding - kernel, stride) + 1;
        if (out < 1) {
            throw new MnistlabException(layer.origin() + ": a " + kernel + "x" + kernel + " window on a "
                    + size + "x" + size + " map (padding " + padding + ") leaves nothing (output " + out + "x" + out
                    + "); remove a layer before it, add padding or use a smaller kernel");
        }
        return out;
    }

    private static void requireMap(Layer layer, Shape3 in) {
        if (in.flat()) {
            throw new MnistlabException(layer.origin() + ": " + layer.kind().torchName()
                    + " needs a feature map but gets a flat vector of " + in.size());
        }
    }
}
