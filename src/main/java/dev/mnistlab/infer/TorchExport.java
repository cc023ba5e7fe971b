package dev.mnistlab.infer;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.mnistlab.AtomicFiles;
import dev.mnistlab.Folders;
import dev.mnistlab.MnistlabException;
import dev.mnistlab.model.Layer;
import dev.mnistlab.model.ShapeTrace;
import dev.mnistlab.train.Experiment;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes a run's weights as weights.npz under PyTorch's state_dict names, and model.py: the spec as an
 * nn.Sequential (same layer order as the DJL SequentialBlock, so child i is module i) that loads them and
 * evaluates the MNIST test set from the raw IDX files.
 */
public final class TorchExport {

    public static final String WEIGHTS = "weights.npz";
    public static final String SCRIPT = "model.py";

    /** DJL's parameter names and PyTorch's; BatchNorm's running statistics are buffers there but go along. */
    private static final Map<String, String> TORCH_NAMES = Map.of("weight", "weight", "bias", "bias",
            "gamma", "weight", "beta", "bias", "runningMean", "running_mean", "runningVar", "running_var");

    private static final java.util.Set<String> FROZEN_AFFINE = java.util.Set.of("gamma", "beta");

    private TorchExport() {}

    /**
     * Writes both files into {@code dir}, a new or empty folder (with {@code force}, any folder: only the two
     * files are replaced); returns their paths. Both are written into a temporary folder beside {@code dir}
     * first, so a failure while writing changes nothing in {@code dir}; then a new folder is renamed into place
     * whole, or the two files are renamed into an existing one.
     */
    public static List<Path> write(TrainedModel model, Path dir, boolean force) {
        requireFreeFolder(dir, force);
        Path target = dir.toAbsolutePath();
        Path temp = target.resolveSibling("." + target.getFileName() + ".export-tmp");
        try {
            Folders.deleteQuietly(temp); // a crashed export's leftover
            Files.createDirectories(temp);
            AtomicFiles.write(temp.resolve(WEIGHTS), out -> {
                NpzWriter writer = new NpzWriter(out);
                for (Map.Entry<String, NDArray> e : stateDict(model).entrySet()) {
                    writer.add(e.getKey(), e.getValue().getShape().getShape(), e.getValue().toFloatArray());
                }
                writer.finish();
            });
            AtomicFiles.write(temp.resolve(SCRIPT), script(model.experiment()));
            if (!Files.exists(target)) {
                move(temp, target); // the whole folder appears at once
            } else {
                for (String name : List.of(WEIGHTS, SCRIPT)) {
                    move(temp.resolve(name), target.resolve(name));
                }
            }
            return List.of(dir.resolve(WEIGHTS), dir.resolve(SCRIPT));
        } catch (IOException e) {
            throw new MnistlabException("cannot write the export to " + dir + " (" + Folders.reason(e)
                    + "); choose a writable folder with --to", e);
        } finally {
            Folders.deleteQuietly(temp);
        }
    }

    /** A user's own files (a model.py of theirs, say) are not replaced without being asked. */
    private static void requireFreeFolder(Path dir, boolean force) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new MnistlabException(dir + " is a file; give --to a folder");
        }
        for (String name : List.of(WEIGHTS, SCRIPT)) {
            if (Files.isDirectory(dir.resolve(name))) {
                throw new MnistlabException(dir.resolve(name) + " is a folder; the export cannot replace it");
            }
        }
        if (!Files.isDirectory(dir) || force) {
            return;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            List<String> names = entries.map(p -> p.getFileName().toString()).sorted().limit(4).toList();
            if (!names.isEmpty()) {
                throw new MnistlabException(dir + " already holds files (" + String.join(", ", names)
                        + (names.size() == 4 ? ", ..." : "") + "); export into a new or empty folder, or pass --force to replace "
                        + WEIGHTS + " and " + SCRIPT + " there");
            }
        } catch (IOException e) {
            throw new MnistlabException("cannot read " + dir + " (" + Folders.reason(e) + ")");
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Sequential index + "." + PyTorch name, in module order. A BatchNorm without affine has no weight and bias
     * in PyTorch; DJL's frozen gamma (ones) and beta (zeros) are left out.
     */
    static Map<String, NDArray> stateDict(TrainedModel model) {
        Map<String, NDArray> state = new java.util.LinkedHashMap<>();
        List<Block> children = new ArrayList<>(model.block().getChildren().values());
        for (int i = 0; i < children.size(); i++) {
            for (Pair<String, Parameter> p : children.get(i).getParameters()) {
                if (FROZEN_AFFINE.contains(p.getKey()) && !p.getValue().requiresGradient()) {
                    continue;
                }
                String torch = TORCH_NAMES.get(p.getKey());
                if (torch == null) {
                    throw new IllegalStateException("no PyTorch name for DJL parameter " + p.getKey());
                }
                state.put(i + "." + torch, p.getValue().getArray());
            }
        }
        return state;
    }

    /**
     * model.py for {@code experiment}: its {@code build()} returns the spec's network with PyTorch's fresh
     * initialisation; only the script's {@code main} loads trained weights, so the file also serves a network
     * that has none yet (the PyTorch side of {@code bench}).
     */
    static String script(Experiment experiment) throws IOException {
        String template;
        try (InputStream in = TorchExport.class.getResourceAsStream("/export/model.py.template")) {
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        var norm = experiment.recipe().normalize();
        var input = experiment.spec().input();
        return template.replace("{{NAME}}", experiment.name())
                .replace("{{MODULES}}", modules(experiment.spec().trace()))
                .replace("{{MEAN}}", Double.toString(norm.mean()))
                .replace("{{STD}}", Double.toString(norm.std()))
                .replace("{{INPUT}}", input.channels() + ", " + input.height() + ", " + input.width());
    }

    /** One nn module per spec layer, then the flatten ModelBuilder appends after a 10x1x1 map. */
    static String modules(ShapeTrace trace) {
        StringBuilder sb = new StringBuilder();
        for (ShapeTrace.Step s : trace.steps()) {
            Layer l = s.layer();
            String module = switch (l.kind()) {
                case CONV -> String.format(Locale.ROOT, "nn.Conv2d(%d, %d, kernel_size=%d, stride=%d, padding=%d, %sbias=%s)",
                        s.in().channels(), l.out(), l.kernel(), l.stride(), l.padding(),
                        l.groups() > 1 ? "groups=" + l.groups() + ", " : "", l.bias() ? "True" : "False");
                case RELU -> "nn.ReLU()";
                case SILU -> "nn.SiLU()";
                case GELU -> "nn.GELU()";
                case LEAKY_RELU -> "nn.LeakyReLU(" + l.slope() + ")";
                case BATCHNORM -> (s.in().flat() ? "nn.BatchNorm1d(" : "nn.BatchNorm2d(") + s.in().channels()
                        + ", eps=1e-5, momentum=0.1" + (l.affine() ? "" : ", affine=False") + ")";
                case DROPOUT -> "nn.Dropout(" + l.rate() + ")";
                case MAXPOOL -> "nn.MaxPool2d(" + l.kernel() + ", stride=" + l.stride() + ")";
                case AVGPOOL -> "nn.AvgPool2d(" + l.kernel() + ", stride=" + l.stride() + ")";
                case GAP -> "nn.AdaptiveAvgPool2d(1)";
                case FLATTEN -> "nn.Flatten()";
                case SHUFFLE -> "nn.ChannelShuffle(" + l.groups() + ")";
                case LINEAR -> "nn.Linear(" + s.in().size() + ", " + l.out() + ", bias=" + (l.bias() ? "True" : "False") + ")";
            };
            sb.append(String.format(Locale.ROOT, "        %s,  # %d: %s -> %s%n", module, s.index() - 1, l.origin().substring(Math.max(0, l.origin().lastIndexOf("layer "))), s.out()));
        }
        if (!trace.output().flat()) {
            sb.append(String.format(Locale.ROOT, "        nn.Flatten(),  # %d: 10x1x1 -> 10 logits%n", trace.steps().size()));
        }
        return sb.toString().stripTrailing();
    }
}
