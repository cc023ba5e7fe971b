package dev.mnistlab.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.mnistlab.MnistlabException;
import dev.mnistlab.NativeMemory;
import dev.mnistlab.YamlFiles;
import dev.mnistlab.train.Experiment;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SpecTest {

    static ModelSpec parse(String yaml) throws IOException {
        return SpecParser.parse(YamlFiles.read(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test.yaml"),
                "test.yaml", "test");
    }

    @Test
    void seed003HasExactly8000TrainableParameters() {
        assertThat(Experiment.preset("seed003").spec().trace().trainableParameters()).isEqualTo(8000);
    }

    @Test
    void seed001Has7753TrainableParametersAndTheWriteUpsReceptiveFields() {
        ShapeTrace trace = Experiment.preset("seed001").spec().trace();
        assertThat(trace.trainableParameters()).isEqualTo(7753);
        assertThat(ReceptiveField.of(trace)).extracting(ReceptiveField.Row::rfOut)
                .containsExactly(3, 5, 7, 8, 12, 16, 20, 20, 28);
        assertThat(ModelSummary.layerTable(trace)).contains("Total params: 7,753");
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "frontier-8k", "frontier-4k", "frontier-2k", "seed000", "seed001", "seed002", "seed003", "seed004"})
    void everyPresetBuildsInDjlWithTheCountTheSummaryPrints(String preset) {
        ModelSpec spec = Experiment.preset(preset).spec();
        long expected = spec.trace().trainableParameters();
        try (Model model = Model.newInstance(preset, "PyTorch")) {
            Block block = ModelBuilder.build(spec);
            block.initialize(model.getNDManager(), ai.djl.ndarray.types.DataType.FLOAT32, new Shape(1, 1, 28, 28));
            long trainable = 0;
            for (Pair<String, Parameter> p : block.getParameters()) {
                if (p.getValue().requiresGradient()) {
                    trainable += p.getValue().getArray().size();
                }
            }
            assertThat(trainable).isEqualTo(expected);
            var out = block.forward(new ParameterStore(model.getNDManager(), false),
                    new ai.djl.ndarray.NDList(model.getNDManager().zeros(new Shape(2, 1, 28, 28))), false);
            assertThat(out.singletonOrThrow().getShape()).isEqualTo(new Shape(2, 10));
        }
    }

    @Test
    void frontierPresetsStayWithinTheirBudgets() {
        assertThat(Experiment.preset("frontier-8k").spec().trace().trainableParameters()).isLessThan(8000);
        assertThat(Experiment.preset("frontier-4k").spec().trace().trainableParameters()).isLessThanOrEqualTo(4000);
        assertThat(Experiment.preset("frontier-2k").spec().trace().trainableParameters()).isLessThanOrEqualTo(2000);
    }

    @Test
    void presetsStayWithinTheWriteUpsBudgets() {
        assertThat(Experiment.preset("seed000").spec().trace().trainableParameters()).isLessThanOrEqualTo(6254);
        assertThat(Experiment.preset("seed002").spec().trace().trainableParameters()).isLessThanOrEqualTo(7826);
        assertThat(Experiment.preset("seed004").spec().trace().trainableParameters()).isLessThanOrEqualTo(7364);
    }

    @Test
    void blockShorthandExpandsToConvReluBnDropout() throws IOException {
        ModelSpec spec = parse("""
                block: {then: [relu, bn, dropout], dropout: 0.1}
                layers:
                  - block: 10
                  - gap
                  - conv: {out: 10, kernel: 1}
                """);
        assertThat(spec.layers()).extracting(Layer::kind).containsExactly(Layer.Kind.CONV, Layer.Kind.RELU,
                Layer.Kind.BATCHNORM, Layer.Kind.DROPOUT, Layer.Kind.GAP, Layer.Kind.CONV);
        assertThat(spec.trace().trainableParameters()).isEqualTo(90 + 20 + 100);
    }

    @Test
    void blocksAndLayersMayUseSiluOrGeluInsteadOfRelu() throws IOException {
        ModelSpec spec = parse("""
                block: {then: [silu, bn]}
                layers:
                  - block: 10
                  - gelu
                  - gap
                  - conv: {out: 10, kernel: 1}
                """);
        assertThat(spec.layers()).extracting(Layer::kind).containsExactly(Layer.Kind.CONV, Layer.Kind.SILU,
                Layer.Kind.BATCHNORM, Layer.Kind.GELU, Layer.Kind.GAP, Layer.Kind.CONV);
        assertThatThrownBy(() -> parse("""
                block: {then: [tanh, bn]}
                layers:
                  - block: 10
                """)).isInstanceOf(MnistlabException.class)
                .hasMessageContaining("layer 1 (block)").hasMessageContaining("relu, silu, gelu").hasMessageContaining("'tanh'");
    }

    /** The values of torch.nn.SiLU and torch.nn.GELU (exact, erf-based), computed in float64. */
    @Test
    void siluAndGeluComputeWhatPyTorchsModulesCompute() throws IOException {
        float[] x = {-4f, -2f, -1f, -0.5f, -0.1f, 0f, 0.1f, 1f, 2f, 3f};
        float[] silu = {-0.07194484f, -0.23840584f, -0.26894142f, -0.18877033f, -0.047502081f, 0f, 0.052497919f,
            0.73105858f, 1.7615942f, 2.8577224f};
        float[] gelu = {-0.00012668497f, -0.045500264f, -0.15865525f, -0.15426877f, -0.046017216f, 0f, 0.053982784f,
            0.84134475f, 1.9544997f, 2.9959503f};
        assertThat(apply("silu", x)).containsExactly(silu, org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(apply("gelu", x)).containsExactly(gelu, org.assertj.core.data.Offset.offset(1e-6f));
    }

    /** SiLU's gradient, s(x) * (1 + x * (1 - s(x))), even when a garbage collection runs before backward. */
    @Test
    void siluGradientSurvivesAGarbageCollectionBeforeBackward() throws InterruptedException {
        float[] x = {-2f, -0.5f, 0f, 1f, 3f};
        float[] expected = {-0.090784249f, 0.26003881f, 0.5f, 0.92767051f, 1.0881041f};
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray in = m.create(x);
            in.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray y = ModelBuilder.silu(in).sum();
                NativeMemory.churn();
                collector.backward(y);
            }
            assertThat(in.getGradient().toFloatArray()).containsExactly(expected, org.assertj.core.data.Offset.offset(1e-6f));
        }
    }

    @Test
    void shuffleReordersChannelsAsTorchsChannelShuffle() throws IOException {
        float[] channels = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        // torch.nn.ChannelShuffle(2) on channels 0..9
        assertThat(apply("shuffle: 2", channels)).containsExactly(0, 5, 1, 6, 2, 7, 3, 8, 4, 9);
        assertThatThrownBy(() -> apply("shuffle: 3", channels)).isInstanceOf(MnistlabException.class)
                .hasMessageContaining("layer 1 (shuffle)").hasMessageContaining("must divide the 10 channels");
    }

    /** One layer alone, on ten channels of one pixel: a spec whose output is already the ten logits. */
    private static float[] apply(String layer, float[] x) throws IOException {
        ModelSpec spec = parse("input: [10, 1, 1]\nlayers:\n  - " + layer + "\n");
        try (Model model = Model.newInstance("one-layer", "PyTorch")) {
            Block block = ModelBuilder.build(spec);
            Shape shape = new Shape(1, 10, 1, 1);
            block.initialize(model.getNDManager(), ai.djl.ndarray.types.DataType.FLOAT32, shape);
            var out = block.forward(new ParameterStore(model.getNDManager(), false),
                    new ai.djl.ndarray.NDList(model.getNDManager().create(x, shape)), false);
            return out.singletonOrThrow().toFloatArray();
        }
    }

    @Test
    void depthwiseConvsCountParametersAsPyTorchDoes() throws IOException {
        ModelSpec spec = parse("""
                layers:
                  - conv: 8
                  - conv: {out: 8, groups: 8}
                  - conv: {out: 16, kernel: 1}
                  - conv: {out: 16, groups: 4}
                  - gap
                  - conv: {out: 10, kernel: 1}
                """);
        // nn.Conv2d(8, 8, 3, groups=8): 8*1*9; nn.Conv2d(16, 16, 3, groups=4): 16*4*9
        assertThat(spec.trace().steps().stream().mapToLong(ShapeTrace.Step::params).toArray())
                .containsExactly(72, 72, 128, 576, 0, 160);
        assertThat(spec.trace().forwardFlops()).isEqualTo(2L * (9 * 26 * 26 * 8 + 9 * 24 * 24 * 8 + 8 * 24 * 24 * 16
                + 9 * 4 * 22 * 22 * 16 + 16 * 10));
        assertThatThrownBy(() -> parse("layers:\n  - conv: 8\n  - conv: {out: 12, groups: 3}\n  - gap\n  - conv: {out: 10, kernel: 1}\n").trace())
                .isInstanceOf(MnistlabException.class).hasMessageContaining("layer 2 (conv)")
                .hasMessageContaining("groups 3 must divide both the 8 input and the 12 output channels");
    }

    /** Issue #20: a 5x5 depthwise conv in a separable unit counts, traces and widens the receptive field as PyTorch's would. */
    @Test
    void fiveByFiveDepthwiseConvsCountTwentyFiveWeightsPerChannelAndWidenTheReceptiveField() throws IOException {
        ModelSpec spec = parse("""
                layers:
                  - conv: 8
                  - conv: {out: 8, groups: 8, kernel: 5, padding: 2}
                  - conv: {out: 16, kernel: 1}
                  - conv: {out: 16, groups: 16, kernel: 5}
                  - gap
                  - conv: {out: 10, kernel: 1}
                """);
        ShapeTrace trace = spec.trace();
        // nn.Conv2d(8, 8, 5, padding=2, groups=8): 8*25; nn.Conv2d(16, 16, 5, groups=16): 16*25
        assertThat(trace.steps().stream().mapToLong(ShapeTrace.Step::params).toArray()).containsExactly(72, 200, 128, 400, 0, 160);
        assertThat(trace.steps().get(1).out()).isEqualTo(Shape3.map(8, 26, 26));
        assertThat(trace.steps().get(3).out()).isEqualTo(Shape3.map(16, 22, 22));
        assertThat(ReceptiveField.of(trace)).extracting(ReceptiveField.Row::kernel).containsExactly(3, 5, 1, 5, 22, 1);
        assertThat(ReceptiveField.of(trace)).extracting(ReceptiveField.Row::rfOut).containsExactly(3, 7, 7, 11, 32, 32);
        assertThat(trace.forwardFlops()).isEqualTo(2L * (9 * 26 * 26 * 8 + 25 * 26 * 26 * 8 + 8 * 26 * 26 * 16
                + 25 * 22 * 22 * 16 + 16 * 10));
    }

    /** LeakyReLU: a layer or a block's activation, PyTorch's slope 0.01 unless given, x or slope * x as nn.LeakyReLU. */
    @Test
    void leakyReluIsALayerOrABlockActivationWithPyTorchsDefaultSlope() throws IOException {
        ModelSpec spec = parse("""
                block: {then: [leaky_relu, bn]}
                layers:
                  - block: 10
                  - leaky_relu: 0.2
                  - leaky_relu: {slope: 0.1}
                  - block: {out: 10, then: [{leaky_relu: 0.3}]}
                  - gap
                  - conv: {out: 10, kernel: 1}
                """);
        assertThat(spec.layers()).extracting(Layer::kind).containsExactly(Layer.Kind.CONV, Layer.Kind.LEAKY_RELU,
                Layer.Kind.BATCHNORM, Layer.Kind.LEAKY_RELU, Layer.Kind.LEAKY_RELU, Layer.Kind.CONV, Layer.Kind.LEAKY_RELU,
                Layer.Kind.GAP, Layer.Kind.CONV);
        assertThat(spec.layers()).filteredOn(l -> l.kind() == Layer.Kind.LEAKY_RELU).extracting(Layer::slope)
                .containsExactly(0.01, 0.2, 0.1, 0.3);
        assertThat(ModelSummary.layerTable(spec.trace())).contains("LeakyReLU-2");
        float[] x = {-4f, -1f, -0.5f, 0f, 0.5f, 1f, 2f, 3f, -2f, 10f};
        // torch.nn.LeakyReLU(0.1)(x) and torch.nn.LeakyReLU()(x)
        assertThat(apply("leaky_relu: 0.1", x)).containsExactly(-0.4f, -0.1f, -0.05f, 0f, 0.5f, 1f, 2f, 3f, -0.2f, 10f);
        assertThat(apply("leaky_relu", x)).containsExactly(-0.04f, -0.01f, -0.005f, 0f, 0.5f, 1f, 2f, 3f, -0.02f, 10f);
        assertThatThrownBy(() -> parse("layers:\n  - conv: 10\n  - leaky_relu: 1.5\n")).isInstanceOf(MnistlabException.class)
                .hasMessage("test.yaml layer 2 (leaky_relu): 'slope' must be at least 0 and below 1 (got 1.5)");
        assertThatThrownBy(() -> parse("layers:\n  - conv: 10\n  - leaky_relu: {alpha: 0.1}\n"))
                .hasMessage("test.yaml layer 2 (leaky_relu): unknown key 'alpha'; allowed: slope");
        assertThatThrownBy(() -> parse("block: {then: [{leaky_relu: -1}]}\nlayers:\n  - block: 10\n"))
                .hasMessage("test.yaml layer 1 (block) then (leaky_relu): 'slope' must be at least 0 and below 1 (got -1.0)");
    }

    /**
     * Issue #20: BatchNorm without affine has no trainable parameters in PyTorch; DJL keeps a frozen gamma and
     * beta, which neither the count nor the trainer's gradient takes.
     */
    @Test
    void batchNormWithoutAffineCountsNoParametersAndDjlFreezesItsScaleAndShift() throws IOException {
        ModelSpec spec = parse("""
                block: {then: [relu, {bn: {affine: false}}]}
                layers:
                  - block: 8
                  - block: {out: 8, then: [relu, bn]}
                  - bn: {affine: false}
                  - batchnorm: {affine: true}
                  - gap
                  - conv: {out: 10, kernel: 1}
                """);
        assertThat(spec.layers()).filteredOn(l -> l.kind() == Layer.Kind.BATCHNORM).extracting(Layer::affine)
                .containsExactly(false, true, false, true);
        assertThat(spec.trace().steps()).filteredOn(s -> s.layer().kind() == Layer.Kind.BATCHNORM)
                .extracting(ShapeTrace.Step::params).containsExactly(0L, 16L, 0L, 16L);
        assertThat(spec.trace().trainableParameters()).isEqualTo(72 + 576 + 16 + 16 + 80);
        assertThat(djlTrainable(spec)).isEqualTo(spec.trace().trainableParameters());
        assertThatThrownBy(() -> parse("layers:\n  - conv: 10\n  - bn: {affine: 0}\n")).isInstanceOf(MnistlabException.class)
                .hasMessage("test.yaml layer 2 (bn): 'affine' must be true or false (got 0)");
        assertThatThrownBy(() -> parse("layers:\n  - conv: 10\n  - bn: false\n"))
                .hasMessageStartingWith("test.yaml layer 2 (bn): 'bn' takes a map of settings such as {affine: false} (got false)");
        assertThatThrownBy(() -> parse("layers:\n  - conv: 10\n  - batchnorm: {inplace: true}\n"))
                .hasMessage("test.yaml layer 2 (batchnorm): unknown key 'inplace'; allowed: affine");
        assertThatThrownBy(() -> parse("block: {then: [relu, {bn: {afine: false}}]}\nlayers:\n  - block: 10\n"))
                .hasMessage("test.yaml layer 1 (block) then (bn): unknown key 'afine'; allowed: affine");
        assertThatThrownBy(() -> parse("block: {then: [relu, {maxpool: 2}]}\nlayers:\n  - block: 10\n"))
                .hasMessage("test.yaml layer 1 (block): 'then' may list an activation (relu, leaky_relu, silu, gelu), bn and "
                        + "dropout, not {\"maxpool\":2}");
    }

    /** Issue #20: BatchNorm over the 10 logits of a bias-free head, 20 parameters, BatchNorm1d after a linear layer. */
    @Test
    void batchNormOnTheLogitsOfABiasFreeHeadHasTwentyParameters() throws IOException {
        ModelSpec conv = parse("layers:\n  - conv: 8\n  - gap\n  - conv: {out: 10, kernel: 1}\n  - bn\n");
        assertThat(conv.trace().steps().get(3).params()).isEqualTo(20);
        assertThat(conv.trace().steps().get(3).torchName()).isEqualTo("BatchNorm2d-4");
        ModelSpec linear = parse("layers:\n  - conv: 8\n  - gap\n  - flatten\n  - linear: {out: 10, bias: false}\n  - bn\n");
        assertThat(linear.trace().steps().get(4).params()).isEqualTo(20);
        assertThat(ModelSummary.layerTable(linear.trace())).contains("BatchNorm1d-5").contains("Total params: 172");
        assertThat(djlTrainable(conv)).isEqualTo(72 + 80 + 20);
        assertThat(djlTrainable(linear)).isEqualTo(72 + 80 + 20);
    }

    /** Parameters DJL builds for {@code spec} that need a gradient: what training updates. */
    private static long djlTrainable(ModelSpec spec) {
        try (Model model = Model.newInstance("count", "PyTorch")) {
            Block block = ModelBuilder.build(spec);
            block.initialize(model.getNDManager(), ai.djl.ndarray.types.DataType.FLOAT32, new Shape(2, 1, 28, 28));
            long trainable = 0;
            for (Pair<String, Parameter> p : block.getParameters()) {
                if (p.getValue().requiresGradient()) {
                    trainable += p.getValue().getArray().size();
                }
            }
            return trainable;
        }
    }

    @Test
    void unknownLayerTypeIsNamed() {
        assertThatThrownBy(() -> parse("layers:\n  - conv: 8\n  - pool: 2\n"))
                .isInstanceOf(MnistlabException.class)
                .hasMessageContaining("layer 2 (pool)").hasMessageContaining("unknown layer type 'pool'");
    }

    @Test
    void nonPositiveSizesAreRejected() {
        assertThatThrownBy(() -> parse("layers:\n  - conv: 0\n")).hasMessageContaining("layer 1 (conv)")
                .hasMessageContaining("'out' must be a positive integer");
        assertThatThrownBy(() -> parse("layers:\n  - conv: {out: 8, kernel: -3}\n")).hasMessageContaining("'kernel'");
        assertThatThrownBy(() -> parse("layers:\n  - conv: {kernel: 3}\n")).hasMessageContaining("missing 'out'");
    }

    @Test
    void aMapShrinkingBelowOnePixelNamesTheLayer() throws IOException {
        ModelSpec spec = parse("layers:\n" + "  - conv: 8\n".repeat(14) + "  - conv: 10\n");
        assertThatThrownBy(spec::trace).isInstanceOf(MnistlabException.class)
                .hasMessageContaining("layer 14 (conv)").hasMessageContaining("leaves nothing");
    }

    @Test
    void theHeadMustEndInTenOutputs() throws IOException {
        ModelSpec spec = parse("layers:\n  - conv: 8\n  - gap\n  - conv: {out: 12, kernel: 1}\n");
        assertThatThrownBy(spec::trace).hasMessageContaining("must end in 10 outputs")
                .hasMessageContaining("layer 3 (conv)").hasMessageContaining("12x1x1");
    }

    @Test
    void linearNeedsAFlatInput() throws IOException {
        ModelSpec spec = parse("layers:\n  - conv: 8\n  - linear: 10\n");
        assertThatThrownBy(spec::trace).hasMessageContaining("layer 2 (linear)").hasMessageContaining("flatten");
    }

    @Test
    void yamlSyntaxErrorsGiveALineNumber() {
        assertThatThrownBy(() -> parse("layers:\n  - conv: 8\n  - conv: {out: 10\n"))
                .isInstanceOf(MnistlabException.class).hasMessageContaining("test.yaml line")
                .hasMessageContaining("YAML syntax error");
    }

    @Test
    void unknownSettingKeysAreRejected() {
        assertThatThrownBy(() -> parse("layers:\n  - conv: {out: 10, kernal: 1}\n"))
                .hasMessageContaining("unknown key 'kernal'");
    }

    @Test
    void paddingKeepsTheMapAndStridesShrinkIt() throws IOException {
        ModelSpec spec = parse("layers:\n  - conv: {out: 4, padding: 1}\n  - conv: {out: 4, stride: 2}\n"
                + "  - maxpool: 2\n  - gap\n  - flatten\n  - linear: 10\n");
        List<ShapeTrace.Step> steps = spec.trace().steps();
        assertThat(steps.get(0).out()).isEqualTo(Shape3.map(4, 28, 28));
        assertThat(steps.get(1).out()).isEqualTo(Shape3.map(4, 13, 13));
        assertThat(steps.get(2).out()).isEqualTo(Shape3.map(4, 6, 6));
        assertThat(steps.get(5).params()).isEqualTo(4 * 10 + 10);
    }

    @ParameterizedTest
    @ValueSource(strings = {"relu", "silu", "gelu", "gap", "flatten"})
    void aLayerThatIsAWordTakesNoSettings(String word) throws IOException {
        assertThatThrownBy(() -> parse("layers:\n  - conv: 10\n  - " + word + ": 5\n"))
                .isInstanceOf(MnistlabException.class)
                .hasMessage("test.yaml layer 2 (" + word + "): '" + word + "' takes no settings (got 5); write '- " + word + "'");
        assertThatThrownBy(() -> parse("layers:\n  - " + word + ": {inplace: true}\n")).hasMessageContaining("takes no settings");
        assertThat(parse("layers:\n  - " + word + ":\n").layers()).hasSize(1); // an empty value is the word alone
    }

    @Test
    void activationBytesCountTheInputAndEveryOutputAsFloats() throws IOException {
        ModelSpec spec = parse("layers:\n  - conv: {out: 8, padding: 1}\n  - relu\n  - maxpool: 2\n  - gap\n"
                + "  - conv: {out: 10, kernel: 1}\n");
        long values = 784 + 8 * 784 + 8 * 784 + 8 * 196 + 8 + 10;
        assertThat(spec.trace().activationBytesPerImage()).isEqualTo(4 * values);
        assertThat(spec.trace().trainingActivationBytes(128)).isEqualTo(ShapeTrace.BACKWARD_FACTOR * 128 * 4 * values);
    }

    /** The conv of 100,000 channels: 34.6 GB for one batch's output of it; refused naming the layer. */
    @Test
    void aBatchWhoseActivationsDoNotFitIsRefusedNamingTheLargestLayer() throws IOException {
        ShapeTrace trace = parse("layers:\n  - conv: 16\n  - conv: {out: 100000}\n  - gap\n  - conv: {out: 10, kernel: 1}\n")
                .trace();
        assertThatThrownBy(() -> trace.requireActivationsFit(128, 16_000_000_000L, "a test's limit"))
                .isInstanceOf(MnistlabException.class)
                .hasMessage("test.yaml layer 2 (conv): training a batch of 128 images needs about 59.1 GB of activations "
                        + "(this layer's output 100000x24x24: 59.0 GB of them), more than 16.0 GB (a test's limit); use fewer "
                        + "channels, shrink the map sooner (stride or pool) or lower batch_size");
        trace.requireActivationsFit(1, 16_000_000_000L, "a test's limit"); // one image at a time fits
        ShapeTrace huge = parse("layers:\n  - conv: {out: 2000000, padding: 1}\n  - gap\n  - conv: {out: 10, kernel: 1}\n")
                .trace();
        assertThatThrownBy(() -> huge.requireActivationsFit(Integer.MAX_VALUE, Long.MAX_VALUE - 1, "no limit"))
                .hasMessageContaining("needs about 9,223,372,036.9 GB"); // saturates instead of wrapping negative
    }

    @Test
    void aShapePastTwoBillionValuesPerImageIsRefused() throws IOException {
        assertThatThrownBy(() -> parse("layers:\n  - conv: {out: 10000000, padding: 1}\n  - gap\n"
                + "  - conv: {out: 10, kernel: 1}\n").trace()).isInstanceOf(MnistlabException.class)
                .hasMessage("test.yaml layer 1 (conv): the output 10000000x28x28 has 7,840,000,000 values per image, "
                        + "more than 2,147,483,647");
        assertThatThrownBy(() -> parse("input: [1, 100000, 100000]\nlayers:\n  - gap\n").trace())
                .hasMessageContaining("the input 1x100000x100000 has 10,000,000,000 values per image");
    }
}
