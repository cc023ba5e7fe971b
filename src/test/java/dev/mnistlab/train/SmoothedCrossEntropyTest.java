package dev.mnistlab.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.loss.Loss;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mnistlab.NativeMemory;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** Label smoothing against torch.nn.functional.cross_entropy (src/test/python/loss_reference.py): loss and gradient. */
class SmoothedCrossEntropyTest {

    @Test
    void lossAndGradientAreCrossEntropyLossWithLabelSmoothingEvenAfterAGarbageCollection() throws Exception {
        JsonNode reference = reference();
        for (JsonNode c : reference.get("cases")) {
            double smoothing = c.get("label_smoothing").asDouble();
            check(new SmoothedCrossEntropy(smoothing), reference, c);
            if (smoothing == 0) {
                check(Loss.softmaxCrossEntropyLoss(), reference, c); // what training uses without smoothing
            }
        }
    }

    private static void check(Loss loss, JsonNode reference, JsonNode c) throws InterruptedException {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray logits = m.create(floats(reference.get("logits")), new Shape(6, 10));
            logits.setRequiresGradient(true);
            long[] labels = new long[reference.get("labels").size()];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = reference.get("labels").get(i).asLong();
            }
            float value;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray result = loss.evaluate(new NDList(m.create(labels)), new NDList(logits));
                value = result.getFloat();
                NativeMemory.churn(); // DJL's trap: scalars freed before backward reads them
                collector.backward(result);
            }
            String what = loss.getName() + " with label_smoothing " + c.get("label_smoothing").asDouble();
            assertThat(value).as(what).isCloseTo((float) c.get("loss").asDouble(), within(1e-6f));
            assertThat(logits.getGradient().toFloatArray()).as(what + ", gradient")
                    .containsExactly(floats(c.get("gradient")), within(1e-7f));
        }
    }

    private static JsonNode reference() throws IOException {
        try (InputStream in = SmoothedCrossEntropyTest.class.getResourceAsStream("/loss/label_smoothing.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    private static float[] floats(JsonNode values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) values.get(i).asDouble();
        }
        return out;
    }
}
