package dev.mnistlab.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mnistlab.Folders;
import dev.mnistlab.YamlFiles;
import dev.mnistlab.train.Experiment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** One drawn trial: its id, the experiment as a preset-style tree, and its trainable parameter count. */
public record Candidate(int id, ObjectNode experiment, long params) {

    public String name() {
        return experiment.path("name").asText();
    }

    /** The name its files and run folder go by ({@code trials/t07.yaml}, {@code trials/t07/}), made safe for a path. */
    public String folder() {
        return Folders.safeName(name(), "search trial " + id);
    }

    /** The drawn experiment, read as its trial file is. */
    public Experiment toExperiment() {
        return Experiment.of(experiment, "search trial " + name(), name());
    }

    /** The epochs the trial is judged on at the end: its recipe's {@code constraints.last_epochs}. */
    public int lastEpochs() {
        return toExperiment().recipe().constraints().lastEpochs();
    }

    public String yaml() {
        return YamlFiles.write(experiment);
    }

    /**
     * A one-line account of the choices, for tables: "8-10p pool T8 12-14-16 sep d0.03 step lr0.05 r7 t0.05", then
     * any of issue #20's levers a trial uses: "dw5" (5x5 depthwise), "leaky", "noaffine", "ema" or "swa".
     */
    public String choices() {
        JsonNode model = experiment.path("model");
        List<String> before = new ArrayList<>();
        List<String> after = new ArrayList<>();
        String transition = "";
        String padded = "";
        String separable = "";
        String depthwiseKernel = "";
        boolean pooled = false;
        for (JsonNode layer : model.path("layers")) {
            if (layer.has("maxpool")) {
                pooled = true;
            } else if (layer.has("block")) {
                JsonNode block = layer.get("block");
                String width = block.isObject() ? block.path("out").asText() : block.asText();
                if (block.isObject() && block.path("padding").asInt() > 0) {
                    padded = "p";
                }
                (pooled ? after : before).add(width);
            } else if (layer.has("conv") && layer.get("conv").has("groups")) {
                separable = " sep";
                if (layer.get("conv").has("kernel")) {
                    depthwiseKernel = " dw" + layer.get("conv").get("kernel").asText();
                }
                if (layer.get("conv").path("padding").asInt() > 0) {
                    padded = "p";
                }
            } else if (layer.has("conv") && pooled && after.isEmpty()) {
                transition = " T" + layer.get("conv").path("out").asText();
            }
        }
        JsonNode recipe = experiment.path("recipe");
        JsonNode augment = recipe.path("augment");
        String then = model.path("block").path("then").toString();
        String levers = depthwiseKernel + (then.contains("leaky_relu") ? " leaky" : "")
                + (then.contains("\"affine\":false") ? " noaffine" : "")
                + (recipe.path("average").has("kind") ? " " + recipe.path("average").path("kind").asText() : "");
        return String.format(Locale.ROOT, "%s%s pool%s %s%s d%s %s lr%s r%s t%s%s",
                String.join("-", before), padded, transition, String.join("-", after), separable,
                model.path("block").path("dropout").asText("0"),
                recipe.path("schedule").path("name").asText().equals("onecycle") ? "onecycle" : "step",
                recipe.path("optimizer").path("lr").asText(), augment.path("rotation").asText().replaceFirst("\\.0$", ""),
                augment.path("translate").asText("0"), levers);
    }
}
