package dev.mnistlab.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * An architecture: the input shape and the expanded list of layers.
 *
 * @param name short name used in run folders and reports
 * @param input shape of one input sample
 * @param layers layers in order, shorthand already expanded
 * @param source the YAML the spec was read from, written back verbatim into run folders
 */
public record ModelSpec(String name, Shape3 input, List<Layer> layers, JsonNode source) {

    public ModelSpec {
        layers = List.copyOf(layers);
    }

    /** Shapes and parameter counts per layer; throws if the spec cannot be built. */
    public ShapeTrace trace() {
        return ShapeTrace.of(this);
    }
}
