package dev.mnistlab.infer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mnistlab.Folders;
import dev.mnistlab.MnistlabException;
import dev.mnistlab.YamlFiles;
import dev.mnistlab.train.Benchmark;
import dev.mnistlab.train.Experiment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The PyTorch side of {@code bench --against-pytorch}: {@value #SCRIPT} trains the experiment's own network
 * (the model.py {@link TorchExport} writes, freshly initialised) with its own recipe, so both rows of the
 * comparison are one model trained one way. The script refuses a network or recipe it cannot build, and a
 * network whose trainable parameter count is not the spec's.
 */
public final class TorchReference {

    /** The reference script, beside target/ in the repository the launcher runs the jar from. */
    static final String SCRIPT = "bench/pytorch_reference.py";
    /** The experiment's recipe as JSON, the keys of a preset's {@code recipe:} block, every one filled in. */
    static final String RECIPE = "recipe.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private TorchReference() {}

    /**
     * Runs the reference under {@code python} (with torch; torchvision too when the recipe augments) on
     * {@code batches} measured batches with {@code threads} threads, the MNIST files in {@code dataDir}.
     */
    public static Benchmark.Measurement measure(Experiment experiment, int batches, int threads, Path dataDir,
                                                String python) {
        String out = runScript(experiment, python, List.of("--max-batches", Integer.toString(batches + 10),
                "--threads", Integer.toString(threads), "--workers", "1",
                "--eval-passes", Integer.toString(Benchmark.EVAL_PASSES), "--data-dir", dataDir.toAbsolutePath().toString()));
        return measurement(out, experiment, experiment.spec().trace().trainableParameters());
    }

    /**
     * Refuses, in one line, when the reference cannot build {@code experiment}'s network or recipe under
     * {@code python} (missing torch or torchvision, a key it does not know, another parameter count): checked
     * before anything is measured, so a comparison that cannot happen costs no benchmark time.
     */
    public static void check(Experiment experiment, String python) {
        runScript(experiment, python, List.of("--check"));
    }

    /**
     * The script's output for {@code experiment} (its model.py and recipe in a temporary folder, its trainable
     * count to expect, PIL augmentation) with {@code options} added.
     */
    private static String runScript(Experiment experiment, String python, List<String> options) {
        Path script = repoFile(SCRIPT);
        Path dir;
        try {
            dir = Files.createTempDirectory("mnistlab-torch-reference");
        } catch (IOException e) {
            throw new MnistlabException("cannot create a temporary folder (" + Folders.reason(e) + ")");
        }
        try {
            writeInputs(experiment, dir);
            List<String> command = new ArrayList<>(List.of(python, script.toString(),
                    "--model", dir.resolve(TorchExport.SCRIPT).toString(), "--recipe", dir.resolve(RECIPE).toString(),
                    "--expect-params", Long.toString(experiment.spec().trace().trainableParameters()),
                    "--aug-backend", "pil"));
            command.addAll(options);
            return run(experiment.name(), python, dir, command);
        } finally {
            Folders.deleteQuietly(dir);
        }
    }

    /**
     * The script's two inputs in {@code dir}: the network as {@code export} writes it (model.py, whose build()
     * needs no weights) and the recipe ({@value #RECIPE}).
     */
    static void writeInputs(Experiment experiment, Path dir) {
        try {
            Files.writeString(dir.resolve(TorchExport.SCRIPT), TorchExport.script(experiment));
            Files.writeString(dir.resolve(RECIPE), JSON.writeValueAsString(YamlFiles.MAPPER.valueToTree(experiment.recipe())));
        } catch (IOException e) {
            throw new MnistlabException("cannot write the PyTorch reference's model.py and recipe into " + dir
                    + " (" + Folders.reason(e) + ")");
        }
    }

    /**
     * The script's output; when it fails, its last line (the script's refusal, or Python's error), without the
     * temporary folder {@code dir}, which is gone by the time anyone reads it.
     */
    private static String run(String name, String python, Path dir, List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                String last = out.lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("no output");
                throw new MnistlabException("the PyTorch reference (" + SCRIPT + ") cannot run " + name + ": "
                        + last.replaceFirst("^error: ", "").replace(dir + dir.getFileSystem().getSeparator(), ""));
            }
            return out;
        } catch (IOException e) {
            throw new MnistlabException("cannot run " + python + " (" + e.getMessage() + "); install python3-torch or pass --python");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MnistlabException("interrupted while the PyTorch reference ran");
        }
    }

    private static Benchmark.Measurement measurement(String out, Experiment experiment, long params) {
        String line = out.lines().filter(l -> l.startsWith("RESULT ")).reduce((a, b) -> b)
                .orElseThrow(() -> new MnistlabException("the PyTorch reference printed no RESULT line"));
        JsonNode result;
        try {
            result = JSON.readTree(line.substring("RESULT ".length()));
        } catch (IOException e) {
            throw new MnistlabException("the PyTorch reference printed an unreadable RESULT line: " + line);
        }
        // the script refuses another count itself; this catches a script that does not check
        long built = result.path("params").asLong(-1);
        if (built != params) {
            throw new MnistlabException(String.format(Locale.ROOT, "the PyTorch reference built a network of %,d "
                    + "trainable parameters for %s, whose spec has %,d; the two rows would compare different networks",
                    built, experiment.name(), params));
        }
        long flops = 3 * experiment.spec().trace().forwardFlops(); // backward costs about twice the forward pass
        double rate = result.get("train_images_per_s").asDouble();
        return new Benchmark.Measurement(rate, result.get("eval_images_per_s").asDouble(),
                result.get("seconds_per_epoch").asDouble(), flops * rate / 1e9, flops, built);
    }

    private static Path repoFile(String name) {
        try {
            Path jar = Path.of(TorchReference.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path dir = jar; dir != null; dir = dir.getParent()) {
                if (Files.exists(dir.resolve(name))) {
                    return dir.resolve(name);
                }
            }
        } catch (java.net.URISyntaxException ignored) {
            // fall through to the working directory
        }
        Path here = Path.of(name);
        if (!Files.exists(here)) {
            throw new MnistlabException(name + " not found; run from the mnistlab repository");
        }
        return here;
    }
}
