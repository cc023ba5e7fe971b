package dev.mnistlab.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mnistlab.Folders;
import dev.mnistlab.MnistlabException;
import dev.mnistlab.YamlFiles;
import dev.mnistlab.model.ModelSpec;
import dev.mnistlab.model.SpecParser;
import dev.mnistlab.train.Experiment;
import dev.mnistlab.train.Recipe;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A journey file: the steps of a model's story, in order. Each step has a {@code name}, the user's
 * {@code target} text and one of {@code preset:}, {@code spec:} (a file) or {@code model:} (inline);
 * {@code recipe:} (a file or inline) replaces the recipe, {@code overrides:} changes some of its keys;
 * {@code reported:} holds what a write-up reported for the step, shown beside our run in the journal.
 */
public record Journey(String name, String description, List<Step> steps) {

    /** One step, resolved to the experiment it trains. */
    public record Step(int number, String name, String target, Experiment experiment, Reported reported) {
        /** The step's run folder inside the journey's output folder, e.g. {@code 02-batch-norm}. */
        public String folder() {
            return String.format(Locale.ROOT, "%02d-%s", number, Folders.safeName(name, label()));
        }

        public String label() {
            return number + ". " + name;
        }
    }

    private static final Set<String> KEYS = Set.of("name", "description", "steps");
    private static final Set<String> STEP_KEYS = Set.of("name", "target", "preset", "spec", "model", "recipe", "overrides",
            "reported");

    public static Journey load(Path file) {
        JsonNode root = YamlFiles.read(file);
        String where = file.toString();
        if (!root.isObject() || !root.path("steps").isArray() || root.path("steps").isEmpty()) {
            throw new MnistlabException(where + ": a journey is a map with a non-empty 'steps:' list");
        }
        checkKeys(root, KEYS, where);
        String base = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
        List<Step> steps = new ArrayList<>();
        for (JsonNode node : root.get("steps")) {
            steps.add(step(node, steps.size() + 1, file.toAbsolutePath().getParent(), where + " step " + (steps.size() + 1)));
        }
        String name = root.path("name").asText(base);
        Folders.safeName(name, where); // the default output folder is named after it
        return new Journey(name, root.path("description").asText(""), List.copyOf(steps));
    }

    /** The same journey with every step shortened to {@code epochs}, for a quick check of the whole journey. */
    public Journey withEpochs(int epochs) {
        return new Journey(name, description, steps.stream().map(s -> new Step(s.number(), s.name(), s.target(),
                s.experiment().withRecipe(s.experiment().recipe().withEpochs(epochs)), s.reported())).toList());
    }

    private static Step step(JsonNode node, int number, Path dir, String where) {
        if (!node.isObject()) {
            throw new MnistlabException(where + ": a step is a map with name, target and preset/spec/model");
        }
        checkKeys(node, STEP_KEYS, where);
        String name = text(node, "name", where);
        Folders.safeName(name, where); // the step's run folder is named after it
        where = where + " (" + name + ")";
        String target = node.path("target").asText("");
        long sources = List.of("preset", "spec", "model").stream().filter(node::has).count();
        if (sources != 1) {
            throw new MnistlabException(where + ": give exactly one of 'preset:', 'spec:' (a file) or 'model:' (inline)");
        }
        Experiment base = node.has("preset") ? Experiment.preset(text(node, "preset", where))
                : node.has("spec") ? Experiment.file(dir.resolve(text(node, "spec", where))) : null;
        ModelSpec spec = base != null ? base.spec() : SpecParser.parse(node.get("model"), where + " model", name);
        Recipe recipe = base != null ? base.recipe() : Recipe.defaults();
        if (node.has("recipe")) {
            JsonNode r = node.get("recipe");
            recipe = r.isTextual() ? Experiment.recipeFile(dir.resolve(r.asText())) : Experiment.recipe(r, where + " recipe");
        }
        if (node.has("overrides")) {
            recipe = override(recipe, node.get("overrides"), where + " overrides");
        }
        Reported reported = node.has("reported") ? Reported.parse(node.get("reported"), where) : null;
        spec.trace(); // reports a broken spec now, not after earlier steps have trained for an hour
        return new Step(number, name, target, new Experiment(name, target, spec, recipe), reported);
    }

    /**
     * Recipe keys merged into the recipe. A block that names another {@code name:} (a new schedule or
     * optimizer) replaces the old block whole, since the old one's settings would not belong to it.
     */
    static Recipe override(Recipe recipe, JsonNode overrides, String where) {
        if (!overrides.isObject()) {
            throw new MnistlabException(where + ": overrides is a map of recipe keys, e.g. {epochs: 10}");
        }
        ObjectNode tree = YamlFiles.MAPPER.valueToTree(recipe);
        merge(tree, (ObjectNode) overrides);
        return Experiment.recipe(tree, where);
    }

    private static void merge(ObjectNode into, ObjectNode from) {
        for (Iterator<Map.Entry<String, JsonNode>> it = from.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode old = into.get(e.getKey());
            boolean sameKind = old instanceof ObjectNode o && e.getValue() instanceof ObjectNode n
                    && (!n.has("name") || n.get("name").equals(o.get("name")));
            if (sameKind) {
                merge((ObjectNode) old, (ObjectNode) e.getValue());
            } else {
                into.set(e.getKey(), e.getValue());
            }
        }
    }

    private static String text(JsonNode node, String key, String where) {
        JsonNode value = node.get(key);
        if (value == null || !value.isValueNode() || value.asText().isBlank()) {
            throw new MnistlabException(where + ": '" + key + ":' must be a non-empty text");
        }
        return value.asText();
    }

    private static void checkKeys(JsonNode node, Set<String> allowed, String where) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!allowed.contains(key)) {
                throw new MnistlabException(where + ": unknown key '" + key + "'; expected " + String.join(", ", allowed.stream().sorted().toList()));
            }
        }
    }
}
