package dev.mnistlab.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mnistlab.MnistlabException;
import dev.mnistlab.YamlFiles;
import dev.mnistlab.train.Averaging;
import dev.mnistlab.train.Experiment;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * @param average           the recipe's weight average: {@code none}, {@code ema} (decay 0.999) or {@code swa}
 *                          (from {@value #SWA_START_SHARE} of the epochs on)
 * @param activation        every block's activation: {@code relu} or {@code leaky_relu} (slope 0.01)
 * @param depthwiseKernel   kernel of the separable units' depthwise convs (odd; padded as the 3x3 ones, scaled)
 * @param bnAffine          whether every block's BatchNorm learns its scale and shift
 */
public record SearchSpace(List<Integer> convsBeforePool, List<Integer> convsAfterPool, List<Integer> channels,
                          List<Integer> paddingBeforePool, List<Integer> transition, List<Boolean> separable,
                          List<Double> dropout, List<Double> lr, List<String> schedule, List<Double> rotation,
                          List<Double> translate, List<Integer> batchSize, int epochs, double minFill,
                          List<String> average, List<String> activation, List<Integer> depthwiseKernel,
                          List<Boolean> bnAffine) {

    private static final int ATTEMPTS = 100_000;
    /** swa averages the epochs from this share of the run on (epoch 11 of 15). */
    static final double SWA_START_SHARE = 0.75;
    private static final List<String> AVERAGES = List.of("none", "ema", "swa");
    private static final List<String> ACTIVATIONS = List.of("relu", "leaky_relu");

    /**
     * The dimensions added with issue #20 and their only value before them: at that value they are left out of
     * the written space, so a search folder started before them is still the same search (search.yaml is
     * compared as text).
     */
    private static final Map<String, List<?>> CURRENT_BEHAVIOUR = Map.of("average", List.of("none"), "activation",
            List.of("relu"), "depthwise_kernel", List.of(3), "bn_affine", List.of(true));

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
        average = frozen(average);
        activation = frozen(activation);
        depthwiseKernel = frozen(depthwiseKernel);
        bnAffine = frozen(bnAffine);
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

    /** A space as {@link #toTree()} wrote it (a study's definition). */
    static SearchSpace of(JsonNode tree, String where) {
        return checked(YamlFiles.bind(tree, defaults(), where), where);
    }

    public SearchSpace withChannels(List<Integer> channels) {
        return new SearchSpace(convsBeforePool, convsAfterPool, channels, paddingBeforePool, transition, separable,
                dropout, lr, schedule, rotation, translate, batchSize, epochs, minFill, average, activation,
                depthwiseKernel, bnAffine);
    }

    public SearchSpace withLr(List<Double> lr) {
        return new SearchSpace(convsBeforePool, convsAfterPool, channels, paddingBeforePool, transition, separable,
                dropout, lr, schedule, rotation, translate, batchSize, epochs, minFill, average, activation,
                depthwiseKernel, bnAffine);
    }

    public SearchSpace withSchedule(List<String> schedule) {
        return new SearchSpace(convsBeforePool, convsAfterPool, channels, paddingBeforePool, transition, separable,
                dropout, lr, schedule, rotation, translate, batchSize, epochs, minFill, average, activation,
                depthwiseKernel, bnAffine);
    }

    public SearchSpace withEpochs(int epochs) {
        return new SearchSpace(convsBeforePool, convsAfterPool, channels, paddingBeforePool, transition, separable,
                dropout, lr, schedule, rotation, translate, batchSize, epochs, minFill, average, activation,
                depthwiseKernel, bnAffine);
    }

    public SearchSpace withMinFill(double minFill) {
        return new SearchSpace(convsBeforePool, convsAfterPool, channels, paddingBeforePool, transition, separable,
                dropout, lr, schedule, rotation, translate, batchSize, epochs, minFill, average, activation,
                depthwiseKernel, bnAffine);
    }

    public SearchSpace withAverage(List<String> average) {
        return new SearchSpace(convsBeforePool, convsAfterPool, channels, paddingBeforePool, transition, separable,
                dropout, lr, schedule, rotation, translate, batchSize, epochs, minFill, average, activation,
                depthwiseKernel, bnAffine);
    }

    public SearchSpace withActivation(List<String> activation) {
        return new SearchSpace(convsBeforePool, convsAfterPool, channels, paddingBeforePool, transition, separable,
                dropout, lr, schedule, rotation, translate, batchSize, epochs, minFill, average, activation,
                depthwiseKernel, bnAffine);
    }

    public SearchSpace withDepthwiseKernel(List<Integer> depthwiseKernel) {
        return new SearchSpace(convsBeforePool, convsAfterPool, channels, paddingBeforePool, transition, separable,
                dropout, lr, schedule, rotation, translate, batchSize, epochs, minFill, average, activation,
                depthwiseKernel, bnAffine);
    }

    public SearchSpace withBnAffine(List<Boolean> bnAffine) {
        return new SearchSpace(convsBeforePool, convsAfterPool, channels, paddingBeforePool, transition, separable,
                dropout, lr, schedule, rotation, translate, batchSize, epochs, minFill, average, activation,
                depthwiseKernel, bnAffine);
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
        for (var list : List.of(separable, dropout, lr, schedule, rotation, translate, average, activation,
                depthwiseKernel, bnAffine)) {
            if (list.isEmpty() || list.contains(null)) {
                throw new MnistlabException(where + ": every list needs at least one value");
            }
        }
        for (String s : schedule) {
            if (!s.equals("step") && !s.equals("onecycle")) {
                throw new MnistlabException(where + " schedule: '" + s + "' is not step or onecycle");
            }
        }
        requireAmong(average, AVERAGES, where + " average");
        requireAmong(activation, ACTIVATIONS, where + " activation");
        for (int k : depthwiseKernel) {
            if (k < 3 || k % 2 == 0) {
                throw new MnistlabException(where + " depthwise_kernel: " + k + " is not an odd kernel of 3 or more (3, 5, 7)");
            }
        }
        if (epochs < 1) {
            throw new MnistlabException(where + ": epochs must be >= 1");
        }
        if (minFill < 0 || minFill >= 1) {
            throw new MnistlabException(where + ": min_fill must be in [0, 1)");
        }
    }

    private static void requireAmong(List<String> values, List<String> known, String where) {
        for (String v : values) {
            if (!known.contains(v)) {
                throw new MnistlabException(where + ": '" + v + "' is not " + String.join(" or ", known));
            }
        }
    }

    /** One random point of the space whose model fits the budget; the experiment is checked as a preset would be. */
    public Candidate sample(SplittableRandom random, int id, long budget) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            ObjectNode root = draw(random, "t" + String.format(Locale.ROOT, "%02d", id));
            long params;
            try {
                // wider kernels can shrink the map below 1x1: such a draw is drawn again
                params = Experiment.of(root, "search trial", "trial").spec().trace().trainableParameters();
            } catch (MnistlabException tooSmallAnImage) {
                continue;
            }
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
        String act = pickDeclared(random, activation);
        boolean affine = pickDeclared(random, bnAffine);
        int kernel = pickDeclared(random, depthwiseKernel);
        String averaging = pickDeclared(random, average);
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
        ArrayNode then = block.putArray("then").add(act);
        if (affine) {
            then.add("bn");
        } else {
            then.addObject().putObject("bn").put("affine", false);
        }
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
                // depthwise-separable: a 3x3 (or wider) per channel, then a 1x1 block mixing them
                ObjectNode depthwise = layers.addObject().putObject("conv").put("out", channels).put("groups", channels);
                if (kernel != 3) {
                    depthwise.put("kernel", kernel);
                }
                if (pad > 0) {
                    depthwise.put("padding", pad * (kernel - 1) / 2);
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
        if (averaging.equals("ema")) {
            recipe.putObject("average").put("kind", "ema").put("decay", Averaging.DEFAULT_DECAY);
        } else if (averaging.equals("swa")) {
            recipe.putObject("average").put("kind", "swa").put("start_epoch", Math.max(1, (int) Math.round(epochs * SWA_START_SHARE)));
        }
        return root;
    }

    private static <T> T pick(SplittableRandom random, List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    /**
     * A value of a dimension added after searches were recorded: one declared value is taken without drawing, so
     * a space that leaves the dimension at its current behaviour draws the very trials it drew before.
     */
    private static <T> T pickDeclared(SplittableRandom random, List<T> values) {
        return values.size() == 1 ? values.get(0) : pick(random, values);
    }

    /** An unmodifiable copy (a list left out of a YAML file is empty here and refused by validate). */
    private static <T> List<T> frozen(List<T> values) {
        return values == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(values));
    }

    /** The space as written in a search folder, so a resumed search can tell it is the same. */
    public String toYaml() {
        return YamlFiles.write(toTree());
    }

    /** The space as a YAML tree, without the dimensions that are at their behaviour from before they existed. */
    public ObjectNode toTree() {
        ObjectNode tree = YamlFiles.MAPPER.valueToTree(this);
        CURRENT_BEHAVIOUR.forEach((key, before) -> {
            if (YamlFiles.MAPPER.valueToTree(before).equals(tree.get(key))) {
                tree.remove(key);
            }
        });
        return tree;
    }
}
