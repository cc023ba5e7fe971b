package dev.mnistlab.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mnistlab.YamlFiles;
import dev.mnistlab.data.Augmentation;
import dev.mnistlab.data.BatchStream;
import dev.mnistlab.data.Normalization;
import dev.mnistlab.data.Split;
import dev.mnistlab.model.ModelBuilder;
import dev.mnistlab.model.Shape3;
import dev.mnistlab.model.SpecParser;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The averages against torch.optim.swa_utils' own (src/test/python/averaging_reference.py): the same trained
 * states, one after another, must give the same averaged model, BatchNorm statistics included.
 */
class WeightAverageTest {

    /** The reference script's network: conv 1->3, BatchNorm, ReLU, flatten, linear 12->10 on 1x4x4. */
    private static final String SPEC = "input: [1, 4, 4]\nlayers:\n  - conv: 3\n  - bn\n  - relu\n  - flatten\n  - linear: 10\n";
    private static final Shape3 INPUT = Shape3.map(1, 4, 4);

    @Test
    void emaIsAveragedModelWithTheLerpOfGetEmaMultiAvgFnAfterEveryStepBuffersIncluded() throws IOException {
        JsonNode reference = reference("ema");
        try (Model model = Model.newInstance("ema", "PyTorch")) {
            Block net = network(model.getNDManager());
            List<Parameter> parameters = parameters(net);
            WeightAverage average = new WeightAverage(Averaging.ema(reference.get("decay").asDouble()), net,
                    oneCopy(parameters), model.getNDManager());
            for (JsonNode step : reference.get("steps")) {
                set(parameters, step.get("trained"), model.getNDManager());
                average.afterStep();
                assertAveraged(average, parameters, step.get("average"));
            }
            // the test means something only if the average has moved away from the trained weights
            float[] trained = parameters.get(5).getArray().toFloatArray();
            float[] averaged = averaged(average, parameters.get(5)).toFloatArray();
            assertThat(Math.abs(trained[0] - averaged[0]) + Math.abs(trained[1] - averaged[1])).isGreaterThan(1e-3f);
        }
    }

    @Test
    void swaIsAveragedModelsEqualAverageFromStartEpochWithUpdateBnStatistics() throws IOException {
        JsonNode reference = reference("swa");
        int start = reference.get("start_epoch").asInt();
        Split images = images(reference.get("pixels"));
        try (Model model = Model.newInstance("swa", "PyTorch")) {
            NDManager manager = model.getNDManager();
            Block net = network(manager);
            List<Parameter> parameters = parameters(net);
            WeightAverage average = new WeightAverage(Averaging.swa(start), net, oneCopy(parameters), manager);
            for (JsonNode epoch : reference.get("epochs")) {
                int e = epoch.get("epoch").asInt();
                set(parameters, epoch.get("trained"), manager);
                assertThat(average.averagesEpoch(e)).isEqualTo(e >= start);
                if (!average.averagesEpoch(e)) {
                    assertThat(average.state().get(WeightAverage.SLOT)).isEmpty();
                    continue;
                }
                average.addEpoch(e);
                try (WeightAverage.Swap swapped = average.swappedIn()) {
                    BatchNormUpdate.run(net, new BatchStream(images, BatchStream.unitPixels(images),
                            reference.get("bn_batch").asInt(), new Normalization(0, 1), Augmentation.NONE, 0, false),
                            manager, INPUT);
                    average.keepStatistics();
                }
                assertAveraged(average, parameters, epoch.get("average"));
                // the swap put the trained arrays back
                assertValues(parameters, epoch.get("trained"), 0);
            }
        }
    }

    private static JsonNode reference(String name) throws IOException {
        try (InputStream in = WeightAverageTest.class.getResourceAsStream("/averaging/" + name + ".json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    private static Block network(NDManager manager) {
        Block net = ModelBuilder.build(SpecParser.parse(YamlFiles.parse(SPEC, "test"), "test", "test"));
        net.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 4, 4));
        return net;
    }

    private static List<Parameter> parameters(Block net) {
        List<Parameter> list = new ArrayList<>();
        for (Pair<String, Parameter> p : net.getParameters()) {
            list.add(p.getValue());
        }
        return list;
    }

    /** One model, no copies beside it. */
    private static WeightAverage.Copies oneCopy(List<Parameter> parameters) {
        return new WeightAverage.Copies() {
            @Override
            public NDArray meanOverCopies(int index, NDManager manager) {
                NDArray mean = parameters.get(index).getArray().duplicate();
                mean.attach(manager);
                return mean;
            }

            @Override
            public void syncAll() {
            }
        };
    }

    private static void set(List<Parameter> parameters, JsonNode arrays, NDManager manager) {
        for (int i = 0; i < parameters.size(); i++) {
            NDArray live = parameters.get(i).getArray();
            try (NDArray value = manager.create(floats(arrays.get(i)), live.getShape())) {
                WeightAverage.overwrite(live, value);
            }
        }
    }

    private static NDArray averaged(WeightAverage average, Parameter p) {
        Map<String, NDArray> slot = average.state().get(WeightAverage.SLOT);
        return slot.get(p.getId());
    }

    private static void assertAveraged(WeightAverage average, List<Parameter> parameters, JsonNode expected) {
        for (int i = 0; i < parameters.size(); i++) {
            float[] got = averaged(average, parameters.get(i)).toFloatArray();
            float[] want = floats(expected.get(i));
            for (int j = 0; j < want.length; j++) {
                assertThat(got[j]).as("%s[%d]", parameters.get(i).getName(), j).isCloseTo(want[j], within(2e-6f));
            }
        }
    }

    private static void assertValues(List<Parameter> parameters, JsonNode expected, float tolerance) {
        for (int i = 0; i < parameters.size(); i++) {
            assertThat(parameters.get(i).getArray().toFloatArray()).as(parameters.get(i).getName())
                    .containsExactly(floats(expected.get(i)), within(tolerance));
        }
    }

    private static float[] floats(JsonNode values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) values.get(i).asDouble();
        }
        return out;
    }

    private static Split images(JsonNode pixels) {
        byte[] bytes = new byte[pixels.size()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) pixels.get(i).asInt();
        }
        int count = bytes.length / INPUT.size();
        return new Split("update_bn", bytes, new byte[count], count, 4, 4);
    }
}
