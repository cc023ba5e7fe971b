package dev.mnistlab.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The --data-dir option of the commands that train on MNIST; all of them resolve it through MnistSource. */
final class DataDirOption {

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Folder with the four MNIST IDX files (raw or .gz); default $MNISTLAB_DATA, then the cache.")
    Path dir;
}
