package dev.mnistlab.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.mnistlab.train.Experiment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChannelsLastConvTest {

    @Test
    void isChosenForTheSeparablePresetsOnly() {
        assertThat(ModelBuilder.paysToRunChannelsLast(Experiment.preset("frontier-8k").spec().trace())).isTrue();
        assertThat(ModelBuilder.paysToRunChannelsLast(Experiment.preset("frontier-4k").spec().trace())).isTrue();
        // a 6-channel stem: measured 1.5x slower in channels-last
        assertThat(ModelBuilder.paysToRunChannelsLast(Experiment.preset("frontier-2k").spec().trace())).isFalse();
        // ordinary 3x3 convs: slower too
        assertThat(ModelBuilder.paysToRunChannelsLast(Experiment.preset("seed003").spec().trace())).isFalse();
    }

    @Test
    void computesWhatConv2dComputesForwardAndBackwardForEveryConvOfFrontier8k() {
        // every conv shape the preset trains, at its batch size of 128 and at the 96 of an epoch's last batch
        for (ShapeTrace.Step step : Experiment.preset("frontier-8k").spec().trace().steps()) {
            Layer l = step.layer();
            if (l.kind() != Layer.Kind.CONV) {
                continue;
            }
            for (int batch : new int[] {128, 96}) {
                Shape in = new Shape(batch, step.in().channels(), step.in().height(), step.in().width());
                assertSameAsConv2d(Conv2d.builder().setKernelShape(new Shape(l.kernel(), l.kernel()))
                        .setFilters(l.out()).optPadding(new Shape(l.padding(), l.padding()))
                        .optGroups(l.groups()).optBias(l.bias()), in, "layer " + step.index() + " at batch " + batch);
            }
        }
    }

    @Test
    void computesWhatConv2dComputesForAnOrdinaryConvWithBias() {
        assertSameAsConv2d(Conv2d.builder().setKernelShape(new Shape(3, 3)).setFilters(12).optPadding(new Shape(1, 1)),
                new Shape(4, 8, 10, 10), "3x3 conv 8 -> 12 with bias");
    }

    private static void assertSameAsConv2d(Conv2d.Builder builder, Shape in, String what) {
        try (Model model = Model.newInstance("cl", "PyTorch")) {
            NDManager m = model.getNDManager();
            Conv2d plain = builder.build();
            ChannelsLastConv channelsLast = new ChannelsLastConv(builder);
            plain.initialize(m, DataType.FLOAT32, in);
            channelsLast.initialize(m, DataType.FLOAT32, in);
            for (int i = 0; i < plain.getParameters().size(); i++) {
                float[] values = m.randomNormal(plain.getParameters().get(i).getValue().getArray().getShape()).toFloatArray();
                plain.getParameters().get(i).getValue().getArray().set(values);
                channelsLast.getParameters().get(i).getValue().getArray().set(values);
            }
            NDArray x = m.randomNormal(in);
            List<float[]> expected = forwardBackward(plain, m, x, false);
            // inside a channels-last model every conv after the first gets a channels-last input
            List<float[]> actual = forwardBackward(channelsLast, m, x, true);
            for (int i = 0; i < expected.size(); i++) {
                float scale = 0;
                for (float v : expected.get(i)) {
                    scale = Math.max(scale, Math.abs(v));
                }
                assertThat(actual.get(i)).as(what + ", array " + i).hasSameSizeAs(expected.get(i));
                for (int j = 0; j < expected.get(i).length; j++) {
                    // the same sums in another order: equal up to float rounding of the largest terms
                    assertThat(actual.get(i)[j]).as(what + ", array " + i + " element " + j)
                            .isCloseTo(expected.get(i)[j], offset(1e-5f * scale));
                }
            }
        }
    }

    /** The output, the input's gradient, then every parameter's gradient, for a loss of sum(output^2). */
    private static List<float[]> forwardBackward(Conv2d conv, NDManager m, NDArray input, boolean channelsLastInput) {
        NDArray x = input.duplicate();
        x.setRequiresGradient(true);
        try (GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
            long[] s = x.getShape().getShape();
            NDArray in = channelsLastInput
                    ? x.transpose(0, 2, 3, 1).reshape(s[0], s[2] * s[3] * s[1]).reshape(s[0], s[2], s[3], s[1]).transpose(0, 3, 1, 2)
                    : x;
            NDArray y = conv.forward(new ParameterStore(m, false), new NDList(in), true).singletonOrThrow();
            gc.backward(y.square().sum());
            List<float[]> out = new ArrayList<>(List.of(y.toFloatArray(), x.getGradient().toFloatArray()));
            for (var p : conv.getParameters()) {
                out.add(p.getValue().getArray().getGradient().toFloatArray());
            }
            return out;
        }
    }
}
