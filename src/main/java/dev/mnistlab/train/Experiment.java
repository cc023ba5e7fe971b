package dev.mnistlab.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mnistlab.Folders;
import dev.mnistlab.MnistlabException;
import dev.mnistlab.YamlFiles;
import dev.mnistlab.model.ModelSpec;
import dev.mnistlab.model.ShapeTrace;
import dev.mnistlab.model.SpecParser;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A spec and the recipe to train it. Presets are YAML resources of the form
 * {@code {name, description, model: <spec>, recipe: <recipe>}}; a user's file may be such a pair or
 * a bare spec (then the default recipe applies). In YAML (and inside other YAML files, such as a
 * {@link TrainRequest}) an experiment is that same map.
 */
public record Experiment(String name, String description, ModelSpec spec, Recipe recipe) {

    public static final List<String> PRESETS =
            List.of("default", "frontier-8k", "frontier-4k", "frontier-2k", "seed000", "seed001", "seed002", "seed003", "seed004");

    /**
     * The share of physical memory one training batch's activations may take: the rest is for the JVM,
     * the data (about 250 MB), evaluation and whatever else runs on the machine.
     */
    public static final double ACTIVATION_MEMORY_SHARE = 0.5;

    public static Experiment preset(String name) {
        String resource = "/presets/" + name + ".yaml";
        try (InputStream in = Experiment.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new MnistlabException("no preset named '" + name + "'; presets: " + String.join(", ", PRESETS));
            }
            return of(YamlFiles.read(in, "preset " + name), "preset " + name, name);
        } catch (IOException e) {
            throw new MnistlabException("cannot read preset " + name + ": " + e.getMessage());
        }
    }

    public static Experiment file(Path file) {
        String base = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
        return of(YamlFiles.read(file), file.toString(), base);
    }

    public static Experiment of(JsonNode node, String where, String defaultName) {
        if (!node.isObject()) {
            throw new MnistlabException(where + ": expected a map with 'model:' and 'recipe:' (or a spec with 'layers:')");
        }
        String name = node.hasNonNull("name") ? node.get("name").asText() : defaultName;
        Folders.safeName(name, where); // the name becomes part of run folders: refuse one that cannot
        String description = node.hasNonNull("description") ? node.get("description").asText() : "";
        if (!node.has("model")) {
            return new Experiment(name, description, SpecParser.parse(node, where, name), Recipe.defaults());
        }
        for (var it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!List.of("name", "description", "model", "recipe").contains(key)) {
                throw new MnistlabException(where + ": unknown key '" + key + "'; expected name, description, model, recipe");
            }
        }
        ModelSpec spec = SpecParser.parse(node.get("model"), where + " model", name);
        Recipe recipe = node.has("recipe") ? recipe(node.get("recipe"), where + " recipe") : Recipe.defaults();
        return new Experiment(name, description, spec, recipe);
    }

    /** An experiment map read from inside another YAML file. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static Experiment fromTree(JsonNode node) {
        return of(node, "experiment", "experiment");
    }

    public static Recipe recipe(JsonNode node, String where) {
        return Recipe.fromYaml(node, where);
    }

    public static Recipe recipeFile(Path file) {
        return recipe(YamlFiles.read(file), file.toString());
    }

    /**
     * Refuses, before a run folder is made or data is loaded, what training would refuse or die of: a recipe
     * out of range (also after command-line changes), a spec that does not trace, a model over a hard
     * budget, or a training batch whose activations would not fit in {@link #ACTIVATION_MEMORY_SHARE} of
     * the machine's memory. Returns the spec's trace.
     */
    public ShapeTrace requireTrainable() {
        recipe.validate(name + " recipe");
        ShapeTrace trace = spec.trace();
        recipe.constraints().requireWithinHardBudget(spec.name(), trace.trainableParameters());
        long memory = physicalMemory();
        trace.requireActivationsFit(recipe.batchSize(), (long) (memory * ACTIVATION_MEMORY_SHARE),
                String.format(Locale.ROOT, "%.0f%% of this machine's %.1f GB", 100 * ACTIVATION_MEMORY_SHARE, memory / 1e9));
        return trace;
    }

    /** Physical memory, or the container's limit when there is one (the JDK reads cgroups). */
    private static long physicalMemory() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
    }

    public Experiment withRecipe(Recipe replacement) {
        return new Experiment(name, description, spec, replacement);
    }

    /** The pair as YAML, as a run folder records it. */
    public String toYaml() {
        return YamlFiles.write(toTree());
    }

    /** The pair as a YAML tree: name, description (when there is one), model, recipe. */
    @JsonValue
    public ObjectNode toTree() {
        ObjectNode root = YamlFiles.MAPPER.createObjectNode();
        root.put("name", name);
        if (!description.isEmpty()) {
            root.put("description", description);
        }
        root.set("model", spec.source());
        root.set("recipe", YamlFiles.MAPPER.valueToTree(recipe));
        return root;
    }

    static void requireFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new MnistlabException(file + ": no such file");
        }
    }
}
