package dev.mnistlab.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mnistlab.MnistlabException;
import dev.mnistlab.model.YamlFiles;
import dev.mnistlab.train.Experiment;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * What a search may try: one list of choices per knob, read from YAML (see the default space in
 * resources/search/default-space.yaml, which documents the model family).
 */
public final class SearchSpace {

    public int[] convsBeforePool = {2, 3};
    public int[] convsAfterPool = {2, 3, 4};
    public int[] channels = {4, 6, 8, 10, 12, 14, 16};
    public int[] paddingBeforePool = {0, 1};
    public int[] transition = {0, 8};
    public boolean[] separable = {false, true};
    public double[] dropout = {0, 0.03, 0.05};
    public double[] lr = {0.03, 0.05, 0.1};
    public String[] schedule = {"step", "onecycle"};
    public double[] rotation = {5, 7, 10};
    public double[] translate = {0, 0.05};
    public int[] batchSize = {128};
    public int epochs = 15;
    public double minFill = 0.7;

    private static final int ATTEMPTS = 100_000;

    public static SearchSpace defaults() {
        try (InputStream in = SearchSpace.class.getResourceAsStream("/search/default-space.yaml")) {
            return bind(YamlFiles.read(in, "default search space"), "default search space");
        } catch (IOException e) {
            throw new IllegalStateException("default search space missing from the jar", e);
        }
    }

    public static SearchSpace file(Path file) {
        return bind(YamlFiles.read(file), file.toString());
    }

    private static SearchSpace bind(JsonNode node, String where) {
        SearchSpace space = YamlFiles.bind(node, SearchSpace.class, where);
        space.validate(where);
        return space;
    }

    private void validate(String where) {
        for (var list : List.of(convsBeforePool, convsAfterPool, channels, paddingBeforePool, transition, batchSize)) {
            if (list.length == 0 || Arrays.stream(list).anyMatch(v -> v < 0)) {
                throw new MnistlabException(where + ": every list needs at least one value, none negative");
            }
        }
        if (Arrays.stream(channels).anyMatch(c -> c < 1) || Arrays.stream(convsAfterPool).anyMatch(c -> c < 1)
                || Arrays.stream(batchSize).anyMatch(b -> b < 1)) {
            throw new MnistlabException(where + ": channels, convs_after_pool and batch_size must be >= 1");
        }
        if (separable.length == 0 || dropout.length == 0 || lr.length == 0 || schedule.length == 0 || rotation.length == 0 || translate.length == 0) {
            throw new MnistlabException(where + ": every list needs at least one value");
        }
        for (String s : schedule) {
            if (!s.equals("step") && !s.equals("onecycle")) {
                throw new MnistlabException(where + " schedule: '" + s + "' is not step or onecycle");
            }
        }
        if (epochs < 1) {
            throw new MnistlabException(where + ": epochs must be >= 1");
        }
        if (minFill < 0 || minFill >= 1) {
            throw new MnistlabException(where + ": min_fill must be in [0, 1)");
        }
    }

    /** One random point of the space whose model fits the budget; the experiment is checked as a preset would be. */
    public Candidate sample(SplittableRandom random, int id, long budget) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            ObjectNode root = draw(random, "t" + String.format(Locale.ROOT, "%02d", id));
            Experiment experiment;
            try {
                experiment = Experiment.of(root, "search trial", "trial");
            } catch (MnistlabException tooSmallAnImage) {
                continue;
            }
            long params = experiment.spec().trace().trainableParameters();
            if (params <= budget && params >= minFill * budget) {
                return new Candidate(id, root, params);
            }
        }
        throw new MnistlabException("no model in the search space fits a budget of " + budget
                + " parameters (and uses at least min_fill " + minFill + " of it); widen 'channels' or change --budget");
    }

    private ObjectNode draw(SplittableRandom random, String name) {
        int before = pick(random, convsBeforePool);
        int after = pick(random, convsAfterPool);
        int padding = pick(random, paddingBeforePool);
        int squeeze = pick(random, transition);
        double drop = pick(random, dropout);
        boolean sep = separable[random.nextInt(separable.length)];
        int[] widths = new int[before + after];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = pick(random, channels);
        }
        Arrays.sort(widths);

        ObjectNode root = YamlFiles.MAPPER.createObjectNode();
        root.put("name", name);
        ObjectNode model = root.putObject("model");
        model.putArray("input").add(1).add(28).add(28);
        ObjectNode block = model.putObject("block");
        block.put("kernel", 3).put("padding", 0).put("bias", false);
        ArrayNode then = block.putArray("then").add("relu").add("bn");
        if (drop > 0) {
            then.add("dropout");
            block.put("dropout", drop);
        }
        ArrayNode layers = model.putArray("layers");
        int channels = 1;
        for (int i = 0; i < widths.length; i++) {
            if (i == before) {
                layers.addObject().put("maxpool", 2);
                if (squeeze > 0) {
                    layers.addObject().putObject("conv").put("out", squeeze).put("kernel", 1);
                    channels = squeeze;
                }
            }
            int pad = i < before ? padding : 0;
            if (sep && i > 0) {
                // depthwise-separable: a 3x3 per channel, then a 1x1 block mixing them
                ObjectNode depthwise = layers.addObject().putObject("conv").put("out", channels).put("groups", channels);
                if (pad > 0) {
                    depthwise.put("padding", pad);
                }
                layers.addObject().putObject("block").put("out", widths[i]).put("kernel", 1);
            } else if (pad == 0) {
                layers.addObject().put("block", widths[i]);
            } else {
                layers.addObject().putObject("block").put("out", widths[i]).put("padding", pad);
            }
            channels = widths[i];
        }
        layers.add("gap");
        layers.addObject().putObject("conv").put("out", 10).put("kernel", 1);

        ObjectNode recipe = root.putObject("recipe");
        recipe.put("epochs", epochs).put("batch_size", pick(random, batchSize)).put("seed", 1);
        recipe.putObject("optimizer").put("name", "sgd").put("lr", pick(random, lr)).put("momentum", 0.9);
        String sched = schedule[random.nextInt(schedule.length)];
        ObjectNode s = recipe.putObject("schedule").put("name", sched);
        if (sched.equals("step")) {
            s.putArray("milestones").add(Math.max(1, Math.round(epochs * 0.4f))).add(Math.max(2, Math.round(epochs * 0.8f)));
            s.put("name", "multistep").put("gamma", 0.1);
        } else {
            s.put("pct_start", 0.3).put("div_factor", 25).put("final_div_factor", 10000);
        }
        recipe.putObject("normalize").put("mean", 0.1307).put("std", 0.3081);
        double translation = pick(random, translate);
        ObjectNode augment = recipe.putObject("augment").put("rotation", pick(random, rotation));
        if (translation > 0) {
            augment.put("translate", translation).put("scale_min", 0.95).put("scale_max", 1.05);
        }
        return root;
    }

    private static int pick(SplittableRandom random, int[] values) {
        return values[random.nextInt(values.length)];
    }

    private static double pick(SplittableRandom random, double[] values) {
        return values[random.nextInt(values.length)];
    }

    /** The space as written in a search folder, so a resumed search can tell it is the same. */
    public String toYaml() {
        return YamlFiles.write(this);
    }
}
