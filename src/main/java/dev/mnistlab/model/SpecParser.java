package dev.mnistlab.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistlab.MnistlabException;
import dev.mnistlab.YamlFiles;
import dev.mnistlab.model.Layer.Kind;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an architecture from YAML. A layer is a word ({@code - relu}) or a one-key map whose value
 * is either its main size ({@code - conv: 10}, {@code - maxpool: 2}, {@code - dropout: 0.05}) or a
 * map of settings ({@code - conv: {out: 10, kernel: 1}}). {@code - block: N} is the write-ups'
 * conv -> ReLU -> BN -> dropout unit, configured once under the top-level {@code block:} key; its
 * {@code then} list holds activations and BatchNorm written as layers are ({@code relu}, {@code {bn: {affine: false}}}).
 */
public final class SpecParser {

    private static final Set<String> SPEC_KEYS = Set.of("name", "description", "input", "block", "layers");
    private static final Set<String> CONV_KEYS = Set.of("out", "kernel", "padding", "stride", "groups", "bias");
    private static final Set<String> BLOCK_KEYS = Set.of("out", "kernel", "padding", "stride", "groups", "bias", "then", "dropout");
    private static final Set<String> POOL_KEYS = Set.of("kernel", "stride");
    private static final Set<String> LINEAR_KEYS = Set.of("out", "bias");
    private static final Set<String> DROPOUT_KEYS = Set.of("rate");
    private static final Set<String> SHUFFLE_KEYS = Set.of("groups");
    private static final Set<String> BATCHNORM_KEYS = Set.of("affine");
    private static final Set<String> LEAKY_RELU_KEYS = Set.of("slope");
    /** PyTorch's nn.LeakyReLU default. */
    private static final double DEFAULT_SLOPE = 0.01;
    /** Layers that are a word alone: {@code - relu: 5} is a slip, not a setting to ignore. */
    private static final Set<String> WORDS = Set.of("relu", "silu", "gelu", "gap", "flatten");
    private static final List<String> TYPES = List.of("block", "conv", "relu", "leaky_relu", "silu", "gelu", "bn", "batchnorm",
            "dropout", "maxpool", "avgpool", "gap", "flatten", "linear", "shuffle");
    private static final String THEN_ITEMS = "an activation (relu, leaky_relu, silu, gelu), bn and dropout";

    private SpecParser() {}

    /**
     * Parses a spec node.
     *
     * @param node the spec: a map with {@code layers}
     * @param where the file it came from, for messages
     * @param defaultName name to use when the spec has none
     */
    public static ModelSpec parse(JsonNode node, String where, String defaultName) {
        if (node == null || !node.isObject()) {
            throw new MnistlabException(where + ": a model spec must be a map with 'layers:'");
        }
        checkKeys(node, SPEC_KEYS, where);
        JsonNode layersNode = node.get("layers");
        if (layersNode == null || !layersNode.isArray() || layersNode.isEmpty()) {
            throw new MnistlabException(where + ": the spec needs a non-empty 'layers:' list");
        }
        String name = node.hasNonNull("name") ? node.get("name").asText() : defaultName;
        Shape3 input = parseInput(node.get("input"), where);
        JsonNode blockDefaults = node.get("block");
        if (blockDefaults != null) {
            checkKeys(blockDefaults, BLOCK_KEYS, where + " block");
        }
        List<Layer> layers = new ArrayList<>();
        int index = 0;
        for (JsonNode item : layersNode) {
            index++;
            parseLayer(item, where + " layer " + index, blockDefaults, layers);
        }
        return new ModelSpec(name, input, layers, node);
    }

    private static Shape3 parseInput(JsonNode node, String where) {
        if (node == null) {
            return Shape3.map(1, 28, 28);
        }
        if (!node.isArray() || node.size() != 3) {
            throw new MnistlabException(where + ": 'input' must be [channels, height, width], e.g. [1, 28, 28]");
        }
        int[] dims = new int[3];
        for (int i = 0; i < 3; i++) {
            dims[i] = node.get(i).asInt(0);
            if (dims[i] < 1) {
                throw new MnistlabException(where + ": 'input' sizes must be positive integers (got " + node + ")");
            }
        }
        return Shape3.map(dims[0], dims[1], dims[2]);
    }

    private static void parseLayer(JsonNode item, String origin, JsonNode blockDefaults, List<Layer> out) {
        Map.Entry<String, JsonNode> typed = typeAndValue(item, origin);
        String type = typed.getKey();
        JsonNode value = typed.getValue();
        String label = origin + " (" + type + ")";
        Layer activationOrNorm = activationOrNorm(type, value, label, label);
        if (activationOrNorm != null) {
            out.add(activationOrNorm);
            return;
        }
        requireNoSettingsForAWord(type, value, label);
        switch (type) {
            case "block" -> expandBlock(value, blockDefaults, label, out);
            case "conv" -> out.add(conv(settings(value, "out", CONV_KEYS, label), null, label));
            case "gap" -> out.add(Layer.simple(Kind.GAP, label));
            case "flatten" -> out.add(Layer.simple(Kind.FLATTEN, label));
            case "dropout" -> out.add(dropout(number(settings(value, "rate", DROPOUT_KEYS, label), "rate", label, -1), label));
            case "maxpool", "avgpool" -> {
                JsonNode s = settings(value, "kernel", POOL_KEYS, label);
                int kernel = positive(s, "kernel", label, 2);
                int stride = positive(s, "stride", label, kernel);
                out.add(new Layer(type.equals("maxpool") ? Kind.MAXPOOL : Kind.AVGPOOL, 0, kernel, 0, stride, 1, false, 0, 0,
                        true, label));
            }
            case "shuffle" -> out.add(new Layer(Kind.SHUFFLE, 0, 0, 0, 1,
                    positive(settings(value, "groups", SHUFFLE_KEYS, label), "groups", label, -1), false, 0, 0, true, label));
            case "linear" -> {
                JsonNode s = settings(value, "out", LINEAR_KEYS, label);
                out.add(new Layer(Kind.LINEAR, positive(s, "out", label, -1), 0, 0, 1, 1, bool(s, "bias", true), 0, 0, true,
                        label));
            }
            default -> throw new MnistlabException(label + ": unknown layer type '" + type + "'; known: "
                    + String.join(", ", TYPES));
        }
    }

    /** A layer item's type and its value (null for a word alone): {@code - relu} or {@code - conv: {out: 8}}. */
    private static Map.Entry<String, JsonNode> typeAndValue(JsonNode item, String origin) {
        if (item.isTextual()) {
            return new AbstractMap.SimpleEntry<>(item.asText(), null);
        }
        if (item.isObject() && item.size() == 1) {
            Map.Entry<String, JsonNode> entry = item.fields().next();
            return new AbstractMap.SimpleEntry<>(entry.getKey(), entry.getValue().isNull() ? null : entry.getValue());
        }
        throw new MnistlabException(origin + ": expected a layer like '- relu' or '- conv: {out: 8}', got " + item);
    }

    private static void requireNoSettingsForAWord(String type, JsonNode value, String label) {
        if (value != null && WORDS.contains(type)) {
            throw new MnistlabException(label + ": '" + type + "' takes no settings (got " + value + "); write '- " + type + "'");
        }
    }

    /**
     * An activation or BatchNorm (the layers a block's {@code then} may list besides dropout), or null for any
     * other type. {@code label} names the item in messages, {@code origin} is the layer's origin.
     */
    private static Layer activationOrNorm(String type, JsonNode value, String label, String origin) {
        requireNoSettingsForAWord(type, value, label);
        return switch (type) {
            case "relu" -> Layer.simple(Kind.RELU, origin);
            case "silu" -> Layer.simple(Kind.SILU, origin);
            case "gelu" -> Layer.simple(Kind.GELU, origin);
            case "leaky_relu" -> Layer.leakyRelu(slope(settings(value, "slope", LEAKY_RELU_KEYS, label), label), origin);
            case "bn", "batchnorm" -> {
                if (value != null && !value.isObject()) {
                    throw new MnistlabException(label + ": '" + type + "' takes a map of settings such as {affine: false} (got "
                            + value + "); write '- " + type + "' for the usual BatchNorm");
                }
                yield Layer.batchNorm(strictBool(settings(value, "affine", BATCHNORM_KEYS, label), "affine", label, true), origin);
            }
            default -> null;
        };
    }

    private static void expandBlock(JsonNode value, JsonNode defaults, String label, List<Layer> out) {
        JsonNode s = settings(value, "out", BLOCK_KEYS, label);
        out.add(conv(s, defaults, label));
        double rate = number(s.has("dropout") ? s : defaults, "dropout", label, 0);
        JsonNode then = s.has("then") ? s.get("then") : defaults != null ? defaults.get("then") : null;
        if (then == null) {
            then = YamlFiles.MAPPER.createArrayNode().add("relu").add("bn").add("dropout");
        } else if (!then.isArray()) {
            throw new MnistlabException(label + ": 'then' must be a list such as [relu, bn, dropout]");
        }
        for (JsonNode step : then) {
            if (step.isTextual() && step.asText().equals("dropout")) {
                if (rate > 0) {
                    out.add(dropout(rate, label));
                }
                continue;
            }
            Layer layer = null;
            if (step.isTextual() || (step.isObject() && step.size() == 1)) {
                Map.Entry<String, JsonNode> typed = typeAndValue(step, label);
                layer = activationOrNorm(typed.getKey(), typed.getValue(), label + " then (" + typed.getKey() + ")", label);
            }
            if (layer == null) {
                throw new MnistlabException(label + ": 'then' may list " + THEN_ITEMS + ", not "
                        + (step.isTextual() ? "'" + step.asText() + "'" : step.toString()));
            }
            out.add(layer);
        }
    }

    /** A conv layer: its own settings first, then the block defaults (for blocks), then 3x3/pad 0/no bias. */
    private static Layer conv(JsonNode s, JsonNode defaults, String label) {
        JsonNode fallback = defaults == null ? s : defaults;
        int kernel = positive(s.has("kernel") ? s : fallback, "kernel", label, 3);
        int padding = nonNegative(s.has("padding") ? s : fallback, "padding", label);
        int stride = positive(s.has("stride") ? s : fallback, "stride", label, 1);
        int groups = positive(s.has("groups") ? s : fallback, "groups", label, 1);
        boolean bias = bool(s.has("bias") ? s : fallback, "bias", false);
        return new Layer(Kind.CONV, positive(s, "out", label, -1), kernel, padding, stride, groups, bias, 0, 0, true, label);
    }

    private static Layer dropout(double rate, String label) {
        if (!(rate > 0 && rate < 1)) {
            throw new MnistlabException(label + ": dropout rate must be between 0 and 1 (got " + rate + ")");
        }
        return new Layer(Kind.DROPOUT, 0, 0, 0, 1, 1, false, rate, 0, true, label);
    }

    /** Turns {@code conv: 10} into {@code {out: 10}} and checks a map's keys. */
    private static JsonNode settings(JsonNode value, String mainKey, Set<String> allowed, String label) {
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        if (value == null) {
            return mapper.createObjectNode();
        }
        if (value.isValueNode()) {
            return mapper.createObjectNode().set(mainKey, value);
        }
        checkKeys(value, allowed, label);
        return value;
    }

    private static void checkKeys(JsonNode node, Set<String> allowed, String where) {
        if (!node.isObject()) {
            throw new MnistlabException(where + ": expected a map of settings, got " + node);
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!allowed.contains(key)) {
                throw new MnistlabException(where + ": unknown key '" + key + "'; allowed: "
                        + String.join(", ", allowed.stream().sorted().toList()));
            }
        }
    }

    /** A positive integer setting; {@code fallback < 0} means the setting is required. */
    private static int positive(JsonNode s, String key, String label, int fallback) {
        JsonNode v = s == null ? null : s.get(key);
        if (v == null) {
            if (fallback < 0) {
                throw new MnistlabException(label + ": missing '" + key + "'");
            }
            return fallback;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 1) {
            throw new MnistlabException(label + ": '" + key + "' must be a positive integer (got " + v + ")");
        }
        return v.asInt();
    }

    private static int nonNegative(JsonNode s, String key, String label) {
        JsonNode v = s == null ? null : s.get(key);
        if (v == null) {
            return 0;
        }
        if (!v.isIntegralNumber() || v.asInt() < 0) {
            throw new MnistlabException(label + ": '" + key + "' must be an integer >= 0 (got " + v + ")");
        }
        return v.asInt();
    }

    private static double number(JsonNode s, String key, String label, double fallback) {
        JsonNode v = s == null ? null : s.get(key);
        if (v == null) {
            if (fallback < 0) {
                throw new MnistlabException(label + ": missing '" + key + "'");
            }
            return fallback;
        }
        if (!v.isNumber()) {
            throw new MnistlabException(label + ": '" + key + "' must be a number (got " + v + ")");
        }
        return v.asDouble();
    }

    /** LeakyReLU's negative slope: PyTorch's 0.01 unless given, from 0 up to (not including) 1. */
    private static double slope(JsonNode s, String label) {
        double slope = number(s, "slope", label, DEFAULT_SLOPE);
        if (!(slope >= 0 && slope < 1)) {
            throw new MnistlabException(label + ": 'slope' must be at least 0 and below 1 (got " + slope + ")");
        }
        return slope;
    }

    /** A true/false setting; anything else (1, "no") is refused rather than read as a boolean. */
    private static boolean strictBool(JsonNode s, String key, String label, boolean fallback) {
        JsonNode v = s == null ? null : s.get(key);
        if (v == null) {
            return fallback;
        }
        if (!v.isBoolean()) {
            throw new MnistlabException(label + ": '" + key + "' must be true or false (got " + v + ")");
        }
        return v.asBoolean();
    }

    private static boolean bool(JsonNode s, String key, boolean fallback) {
        JsonNode v = s == null ? null : s.get(key);
        return v == null ? fallback : v.asBoolean();
    }
}
