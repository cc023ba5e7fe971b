package dev.mnistlab.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mnistlab.YamlFiles;
import dev.mnistlab.model.ModelSpec;
import dev.mnistlab.model.ModelSummary;
import dev.mnistlab.model.ReceptiveField;
import dev.mnistlab.model.ShapeTrace;
import dev.mnistlab.model.SpecParser;
import java.nio.file.Path;
import java.util.List;

/**
 * An architecture: a checked list of layers with its shapes, parameter count, FLOPs and receptive
 * field. Immutable. Get one from a preset ({@code Model.preset("seed003")}), from YAML
 * ({@link #fromYaml}, {@link #file}) or build one in code ({@link #builder}); all three go through the
 * same spec parser, so a model built in code is exactly the YAML it {@linkplain #toYaml prints}.
 */
public final class Model {

    private final ModelSpec spec;
    private final ShapeTrace trace;

    Model(ModelSpec spec) {
        this.spec = spec;
        this.trace = spec.trace(); // fails here, with the layer named, if the layers do not fit together
    }

    /** The model of a shipped preset (see {@link Mnistlab#presets()}). */
    public static Model preset(String name) {
        return Experiment.preset(name).model();
    }

    /** A model from YAML text: a spec with {@code layers:} (see README's "Specs"). */
    public static Model fromYaml(String yaml, String name) {
        return new Model(SpecParser.parse(YamlFiles.parse(yaml, name), name, name));
    }

    /** A model from a YAML file: a bare spec, or a preset-style file whose {@code model:} is used. */
    public static Model file(Path yaml) {
        return Experiment.file(yaml).model();
    }

    /** Starts a model in code; {@code name} names its run folders. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The name that names run folders and reports. */
    public String name() {
        return spec.name();
    }

    /** Trainable parameters, counted as PyTorch counts them (BatchNorm's running statistics are not). */
    public long parameters() {
        return trace.trainableParameters();
    }

    /** Floating-point operations of one image's forward pass in conv and linear layers (multiply-add = 2). */
    public long flops() {
        return trace.forwardFlops();
    }

    /** One row per layer, as torchsummary lists them. */
    public List<LayerRow> layers() {
        return trace.steps().stream()
                .map(s -> new LayerRow(s.torchName(), s.out().torchString(), s.params()))
                .toList();
    }

    /** The write-ups' receptive-field arithmetic, one row per layer that changes the grid. */
    public List<ReceptiveField.Row> receptiveField() {
        return ReceptiveField.of(trace);
    }

    /** The receptive field after the last layer, in input pixels. */
    public int receptiveFieldSize() {
        List<ReceptiveField.Row> rows = receptiveField();
        return rows.isEmpty() ? 1 : rows.get(rows.size() - 1).rfOut();
    }

    /** torchsummary's table: layer, output shape, parameters, totals. */
    public String summary() {
        return ModelSummary.layerTable(trace);
    }

    /** The receptive-field table as text. */
    public String receptiveFieldTable() {
        return ModelSummary.receptiveFieldTable(receptiveField());
    }

    /** The spec as YAML, ready to save and train with {@code ./mnistlab train FILE}. */
    public String toYaml() {
        return YamlFiles.write(spec.source());
    }

    ModelSpec spec() {
        return spec;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%s (%,d parameters, receptive field %d)", name(), parameters(),
                receptiveFieldSize());
    }

    /** One row of the layer table. */
    public record LayerRow(String layer, String outputShape, long parameters) {}

    /**
     * Builds a spec layer by layer, as a YAML spec writes it: {@code conv(10)} is {@code - conv: 10} (3x3,
     * no padding, no bias), {@code block(10)} the write-ups' conv -> ReLU -> BN (-> dropout) unit configured
     * by {@link #blockDefaults}. {@link #build()} checks the whole model.
     */
    public static final class Builder {

        private final ObjectNode spec = YamlFiles.MAPPER.createObjectNode();
        private final ArrayNode layers;

        private Builder(String name) {
            spec.put("name", name);
            layers = spec.putArray("layers");
        }

        /** Input shape; MNIST's [1, 28, 28] if not called. */
        public Builder input(int channels, int height, int width) {
            spec.putArray("input").add(channels).add(height).add(width);
            return this;
        }

        /**
         * What every {@link #block} is unless it says otherwise: kernel, padding, and the dropout rate used
         * when {@code dropout} is in its order (conv, then ReLU, BN, dropout).
         */
        public Builder blockDefaults(int kernel, int padding, double dropout) {
            ObjectNode block = spec.putObject("block");
            block.put("kernel", kernel).put("padding", padding).put("bias", false);
            block.putArray("then").add("relu").add("bn").add("dropout");
            block.put("dropout", dropout);
            return this;
        }

        /** The write-ups' unit: conv with {@code out} channels, then ReLU, BN, dropout (see {@link #blockDefaults}). */
        public Builder block(int out) {
            layers.addObject().put("block", out);
            return this;
        }

        /** A 3x3 conv, padding 0, no bias. */
        public Builder conv(int out) {
            layers.addObject().put("conv", out);
            return this;
        }

        /** A conv with the given kernel and padding (no bias). */
        public Builder conv(int out, int kernel, int padding) {
            layers.addObject().putObject("conv").put("out", out).put("kernel", kernel).put("padding", padding);
            return this;
        }

        /** A 1x1 conv: the write-ups' channel squeeze. */
        public Builder pointwise(int out) {
            return conv(out, 1, 0);
        }

        /** A depthwise conv over {@code channels} channels (groups = channels). */
        public Builder depthwise(int channels, int kernel, int padding) {
            layers.addObject().putObject("conv").put("out", channels).put("kernel", kernel).put("padding", padding)
                    .put("groups", channels);
            return this;
        }

        /** A ReLU. */
        public Builder relu() {
            layers.add("relu");
            return this;
        }

        /** BatchNorm over the channels (or features after flatten). */
        public Builder bn() {
            layers.add("bn");
            return this;
        }

        /** Dropout with probability {@code rate}. */
        public Builder dropout(double rate) {
            layers.addObject().put("dropout", rate);
            return this;
        }

        /** Max-pooling with a {@code kernel} x {@code kernel} window and the same stride. */
        public Builder maxpool(int kernel) {
            layers.addObject().put("maxpool", kernel);
            return this;
        }

        /** Global average pooling to one value per channel. */
        public Builder gap() {
            layers.add("gap");
            return this;
        }

        /** Flattens the map for a linear layer. */
        public Builder flatten() {
            layers.add("flatten");
            return this;
        }

        /** A fully connected layer with bias. */
        public Builder linear(int out) {
            layers.addObject().put("linear", out);
            return this;
        }

        /** Any layer in the spec language, e.g. {@code layer("shuffle", 2)} or {@code layer("silu", null)}. */
        public Builder layer(String type, Object value) {
            if (value == null) {
                layers.add(type);
            } else {
                layers.addObject().set(type, YamlFiles.MAPPER.valueToTree(value));
            }
            return this;
        }

        /** The checked model; throws with the layer named if the layers do not fit together. */
        public Model build() {
            JsonNode copy = spec.deepCopy();
            return new Model(SpecParser.parse(copy, "model " + spec.get("name").asText(), spec.get("name").asText()));
        }
    }
}
