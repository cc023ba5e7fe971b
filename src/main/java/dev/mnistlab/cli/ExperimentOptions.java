package dev.mnistlab.cli;

import dev.mnistlab.train.Experiment;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** How a command names what to build: a preset, or a YAML file (spec, or spec plus recipe). */
final class ExperimentOptions {

    @Option(names = "--preset", paramLabel = "NAME",
            description = "A shipped preset: default, seed000, seed001, seed002, seed003, seed004.")
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
}
