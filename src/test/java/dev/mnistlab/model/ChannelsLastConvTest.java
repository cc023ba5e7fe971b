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
    void computesWhatConv2dComputesForwardAndBackward() {
        // a 3x3 conv over 8 channels, a depthwise one and a 1x1 one: the three weight shapes the views handle
        int[][] shapes = {{8, 12, 3, 1}, {8, 8, 3, 8}, {8, 16, 1, 1}};
        for (int[] s : shapes) {
            try (Model model = Model.newInstance("cl", "PyTorch")) {
                NDManager m = model.getNDManager();
                Conv2d.Builder builder = Conv2d.builder().setKernelShape(new Shape(s[2], s[2])).setFilters(s[1])
                        .optGroups(s[3]).optBias(false);
                Conv2d plain = builder.build();
                ChannelsLastConv channelsLast = new ChannelsLastConv(builder);
                Shape in = new Shape(4, s[0], 10, 10);
                plain.initialize(m, DataType.FLOAT32, in);
                channelsLast.initialize(m, DataType.FLOAT32, in);
                NDArray weight = m.randomNormal(plain.getParameters().get(0).getValue().getArray().getShape());
                plain.getParameters().get(0).getValue().getArray().set(weight.toFloatArray());
                channelsLast.getParameters().get(0).getValue().getArray().set(weight.toFloatArray());
                NDArray x = m.randomNormal(in);

                float[][] plainOut = forwardBackward(plain, m, x);
                float[][] channelsLastOut = forwardBackward(channelsLast, m, x);
                for (int i = 0; i < 2; i++) {
                    assertThat(channelsLastOut[i]).hasSameSizeAs(plainOut[i]);
                    float scale = 0;
                    for (float v : plainOut[i]) {
                        scale = Math.max(scale, Math.abs(v));
                    }
                    for (int j = 0; j < plainOut[i].length; j++) {
                        // the same sums in another order: equal up to float rounding of the largest terms
                        assertThat(channelsLastOut[i][j]).isCloseTo(plainOut[i][j], offset(1e-5f * scale));
                    }
                }
            }
        }
    }

    /** The output and the weight's gradient for a loss of sum(output^2). */
    private static float[][] forwardBackward(Conv2d conv, NDManager m, NDArray x) {
        NDArray w = conv.getParameters().get(0).getValue().getArray();
        try (GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
            NDArray y = conv.forward(new ParameterStore(m, false), new NDList(x), true).singletonOrThrow();
            gc.backward(y.square().sum());
            return new float[][] {y.toFloatArray(), w.getGradient().toFloatArray()};
        }
    }
}
