package dev.mnistlab.data;

import java.nio.file.Path;

/** Both MNIST splits and the directory they were read from (for logs and run records). */
public record MnistData(Split train, Split test, Path directory) {
}
