package dev.mnistlab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A Conv2d that hands libtorch its weight with channels-last strides, so oneDNN computes the output, and
 * every layer after it, in NHWC. DJL has no memory-format API: the strides come from views (a transpose, a
 * reshape, a transpose back), which cost nothing for depthwise and 1x1 weights and keep autograd intact.
 *
 * <p>Why: libtorch's depthwise convolutions in NCHW reorder to blocked layouts on every call. Measured with
 * {@code ./mnistlab bench --preset frontier-8k --threads 1}: training 1,438 -> 2,118 img/s, evaluation
 * 2,690 -> 7,696 img/s. For models of ordinary 3x3 convs it is slower (seed003: 2,946 -> 2,323), so the
 * builder uses it only for models with grouped convs.
 */
final class ChannelsLastConv extends Conv2d {

    ChannelsLastConv(Conv2d.Builder builder) {
        super(builder);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray input = inputs.singletonOrThrow();
        NDArray w = store.getValue(weight, input.getDevice(), training);
        NDArray b = store.getValue(bias, input.getDevice(), training);
        long out = w.getShape().get(0), in = w.getShape().get(1), kh = w.getShape().get(2), kw = w.getShape().get(3);
        // (out, kh, kw, in) laid out densely, seen as (out, in, kh, kw): libtorch's channels-last strides
        NDArray channelsLast = w.transpose(0, 2, 3, 1).reshape(out, kh * kw * in).reshape(out, kh, kw, in)
                .transpose(0, 3, 1, 2);
        return Conv2d.conv2d(input, channelsLast, b, stride, padding, dilation, groups);
    }
}
