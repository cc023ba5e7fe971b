package dev.mnistlab.cli;

import dev.mnistlab.api.Experiment;
import dev.mnistlab.api.Mnistlab;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** How a command names what to build: a preset, or a YAML file (spec, or spec plus recipe). */
final class ExperimentOptions {

    @Option(names = "--preset", paramLabel = "NAME", completionCandidates = PresetNames.class,
            description = "A shipped preset: ${COMPLETION-CANDIDATES}.")
    String preset;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE",
            description = "A YAML file: a spec (layers) or a preset-style file (model + recipe).")
    Path file;

    Experiment load() {
        if (file != null && preset != null) {
            throw new dev.mnistlab.MnistlabException("give either --preset or a FILE, not both");
        }
        return file != null ? Experiment.file(file) : Experiment.preset(preset != null ? preset : "default");
    }

    /** The help text lists the shipped presets from the one list that loads them. */
    static final class PresetNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Mnistlab.presets().iterator();
        }
    }
}
