package dev.mnistlab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FoldersTest {

    @Test
    void deleteQuietlyRemovesATreeAndToleratesWhatIsNotThere(@TempDir Path dir) throws IOException {
        Path root = dir.resolve("tmp");
        Files.createDirectories(root.resolve("a/b"));
        Files.writeString(root.resolve("a/b/file.bin"), "x");
        Files.writeString(root.resolve("top.txt"), "y");
        Folders.deleteQuietly(root);
        assertThat(root).doesNotExist();
        assertThat(dir).exists();
        Folders.deleteQuietly(root);
        Folders.deleteQuietly(null);
    }
}
