package dev.mnistlab.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mnistlab.MnistlabException;
import dev.mnistlab.YamlFiles;
import dev.mnistlab.train.Experiment;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * What a search may try: one list of choices per knob, read from YAML (see the default space in
 * resources/search/default-space.yaml, which documents the model family and gives every key's default).
 * Immutable: {@code with...} methods return changed copies.
 *
 * @param convsBeforePool   how many 3x3 convs come before the max-pool
 * @param convsAfterPool    how many 3x3 convs come after it
 * @param channels          output channels of each 3x3 conv (drawn per conv, then sorted)
 * @param paddingBeforePool padding of the convs before the pool
 * @param transition        output channels of a 1x1 conv after the pool; 0 for none
 * @param separable         depthwise-separable units instead of full 3x3 convs
 * @param dropout           dropout rate after every 3x3 conv; 0 for none
 * @param lr                the optimizer's (peak) learning rate
 * @param schedule          {@code step} (x0.1 after 40% and 80% of the epochs) or {@code onecycle}
 * @param rotation          augmentation's rotation in degrees
 * @param translate         augmentation's translation as a fraction of the image; 0 for none
 * @param batchSize         images per step
 * @param epochs            every trial's epochs (the last rung)
 * @param minFill           a drawn model must use at least this fraction of the budget
 */
public record SearchSpace(List<Integer> convsBeforePool, List<Integer> convsAfterPool, List<Integer> channels,
                          List<Integer> paddingBeforePool, List<Integer> transition, List<Boolean> separable,
                          List<Double> dropout, List<Double> lr, List<String> schedule, List<Double> rotation,
                          List<Double> translate, List<Integer> batchSize, int epochs, double minFill) {

    private static final int ATTEMPTS = 100_000;

    public SearchSpace {
        convsBeforePool = frozen(convsBeforePool);
        convsAfterPool = frozen(convsAfterPool);
        channels = frozen(channels);
        paddingBeforePool = frozen(paddingBeforePool);
        transition = frozen(transition);
        separable = frozen(separable);
        dropout = frozen(dropout);
        lr = frozen(lr);
        schedule = frozen(schedule);
        rotation = frozen(rotation);
        translate = frozen(translate);
        batchSize = frozen(batchSize);
    }

    /** The built-in space, resources/search/default-space.yaml. */
    public static SearchSpace defaults() {
        try (InputStream in = SearchSpace.class.getResourceAsStream("/search/default-space.yaml")) {
            JsonNode node = YamlFiles.read(in, "default search space");
            return checked(YamlFiles.bind(node, SearchSpace.class, "default search space"), "default search space");
        } catch (IOException e) {
            throw new IllegalStateException("default search space missing from the jar", e);
        }
    }

    /** A space file; a key left out keeps its value in the built-in space. */
    public static SearchSpace file(Path file) {
        return checked(YamlFiles.bind(YamlFiles.read(file), defaults(), file.toString()), file.toString());
    }

    public SearchSpace withChannels(List<Integer> channels) {
        return new SearchSpace(convsBeforePool, convsAfterPool, channels, paddingBeforePool, transition, separable,
                dropout, lr, schedule, rotation, translate, batchSize, epochs, minFill);
    }

    public SearchSpace withLr(List<Double> lr) {
        return new SearchSpace(convsBeforePool, convsAfterPool, channels, paddingBeforePool, transition, separable,
                dropout, lr, schedule, rotation, translate, batchSize, epochs, minFill);
    }

    public SearchSpace withSchedule(List<String> schedule) {
        return new SearchSpace(convsBeforePool, convsAfterPool, channels, paddingBeforePool, transition, separable,
                dropout, lr, schedule, rotation, translate, batchSize, epochs, minFill);
    }

    public SearchSpace withEpochs(int epochs) {
        return new SearchSpace(convsBeforePool, convsAfterPool, channels, paddingBeforePool, transition, separable,
                dropout, lr, schedule, rotation, translate, batchSize, epochs, minFill);
    }

    public SearchSpace withMinFill(double minFill) {
        return new SearchSpace(convsBeforePool, convsAfterPool, channels, paddingBeforePool, transition, separable,
                dropout, lr, schedule, rotation, translate, batchSize, epochs, minFill);
    }

    private static SearchSpace checked(SearchSpace space, String where) {
        space.validate(where);
        return space;
    }

    /** Refuses a space nothing sensible can be drawn from, naming {@code where}. */
    public void validate(String where) {
        for (var list : List.of(convsBeforePool, convsAfterPool, channels, paddingBeforePool, transition, batchSize)) {
            if (list.isEmpty() || list.stream().anyMatch(v -> v == null || v < 0)) {
                throw new MnistlabException(where + ": every list needs at least one value, none negative");
            }
        }
        if (channels.stream().anyMatch(c -> c < 1) || convsAfterPool.stream().anyMatch(c -> c < 1)
                || batchSize.stream().anyMatch(b -> b < 1)) {
            throw new MnistlabException(where + ": channels, convs_after_pool and batch_size must be >= 1");
        }
        for (var list : List.of(separable, dropout, lr, schedule, rotation, translate)) {
            if (list.isEmpty() || list.contains(null)) {
                throw new MnistlabException(where + ": every list needs at least one value");
            }
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
        boolean sep = pick(random, separable);
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
        String sched = pick(random, schedule);
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

    private static <T> T pick(SplittableRandom random, List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    /** An unmodifiable copy (a list left out of a YAML file is empty here and refused by validate). */
    private static <T> List<T> frozen(List<T> values) {
        return values == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(values));
    }

    /** The space as written in a search folder, so a resumed search can tell it is the same. */
    public String toYaml() {
        return YamlFiles.write(this);
    }
}
