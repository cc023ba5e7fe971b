package dev.mnistlab.infer;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.mnistlab.MnistlabException;
import dev.mnistlab.model.Layer;
import dev.mnistlab.model.ShapeTrace;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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

    private TorchExport() {}

    /** Writes both files into {@code dir}; returns their paths. */
    public static List<Path> write(TrainedModel model, Path dir) {
        try {
            Files.createDirectories(dir);
            Path npz = dir.resolve(WEIGHTS);
            try (OutputStream out = Files.newOutputStream(npz); NpzWriter writer = new NpzWriter(out)) {
                for (Map.Entry<String, NDArray> e : stateDict(model).entrySet()) {
                    writer.add(e.getKey(), e.getValue().getShape().getShape(), e.getValue().toFloatArray());
                }
            }
            Path script = dir.resolve(SCRIPT);
            Files.writeString(script, script(model));
            return List.of(npz, script);
        } catch (IOException e) {
            throw new MnistlabException("cannot write the export to " + dir + " (" + e.getMessage()
                    + "); choose a writable folder with --to", e);
        }
    }

    /** Sequential index + "." + PyTorch name, in module order. */
    static Map<String, NDArray> stateDict(TrainedModel model) {
        Map<String, NDArray> state = new java.util.LinkedHashMap<>();
        List<Block> children = new ArrayList<>(model.block().getChildren().values());
        for (int i = 0; i < children.size(); i++) {
            for (Pair<String, Parameter> p : children.get(i).getParameters()) {
                String torch = TORCH_NAMES.get(p.getKey());
                if (torch == null) {
                    throw new IllegalStateException("no PyTorch name for DJL parameter " + p.getKey());
                }
                state.put(i + "." + torch, p.getValue().getArray());
            }
        }
        return state;
    }

    static String script(TrainedModel model) throws IOException {
        String template;
        try (InputStream in = TorchExport.class.getResourceAsStream("/export/model.py.template")) {
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        var norm = model.experiment().recipe().normalize();
        var input = model.experiment().spec().input();
        return template.replace("{{NAME}}", model.experiment().name())
                .replace("{{MODULES}}", modules(model.experiment().spec().trace()))
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
                case BATCHNORM -> (s.in().flat() ? "nn.BatchNorm1d(" : "nn.BatchNorm2d(") + s.in().channels()
                        + ", eps=1e-5, momentum=0.1)";
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
