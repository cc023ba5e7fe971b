package dev.mnistlab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

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

    /** Names as users write them, and the one folder name each becomes: never a path of several parts. */
    static Stream<Arguments> names() {
        return Stream.of(
                Arguments.of("seed001", "seed001"),
                Arguments.of("frontier-4k", "frontier-4k"),
                Arguments.of("Batch Norm", "batch-norm"),
                Arguments.of("../../etc/x", "etc-x"),
                Arguments.of("/abs/path", "abs-path"),
                Arguments.of("a\\b", "a-b"),
                Arguments.of("..hidden", "hidden"),
                Arguments.of("tab\there\nnewline", "tab-here-newline"),
                Arguments.of("nul\0byte", "nul-byte"),
                Arguments.of("\u00dcbergr\u00f6\u00dfe 3", "\u00fcbergr\u00f6\u00dfe-3"),
                Arguments.of("U\u0308ber", "\u00fcber"), // decomposed: U + combining diaeresis, composed first
                Arguments.of("\u6a21\u578b", "\u6a21\u578b"));
    }

    @ParameterizedTest
    @MethodSource("names")
    void aNameBecomesOneSafeFolderName(String name, String folder) {
        assertThat(Folders.safeName(name, "t.yaml")).isEqualTo(folder);
        assertThat(Path.of("runs").resolve(Folders.safeName(name, "t.yaml")).getParent()).isEqualTo(Path.of("runs"));
    }

    @Test
    void aLongNameIsCutTo48Characters() {
        assertThat(Folders.safeName("x".repeat(47) + "-yyyy", "t.yaml")).isEqualTo("x".repeat(47));
        assertThat(Folders.safeName("\u00e9".repeat(300), "t.yaml")).hasSize(48);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "..", "/", "../..", "???", "\n", "\0", " - "})
    void aNameWithoutLetterOrDigitIsRefusedInOneLine(String name) {
        assertThatThrownBy(() -> Folders.safeName(name, "t.yaml")).isInstanceOf(MnistlabException.class)
                .hasMessageStartingWith("t.yaml: the name '").hasMessageEndingWith("' has no letter or digit to name a folder "
                        + "after; use a name such as 'my-model'")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("\0"));
    }

    @Test
    void reasonSaysWhatJavaLeavesOut(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        IOException inTheWay = assertThrows(IOException.class, () -> Files.createDirectories(file));
        assertThat(inTheWay.getMessage()).isEqualTo(file.toString()); // Java says no more than the path
        assertThat(Folders.reason(inTheWay)).isEqualTo(file + " already exists and is in the way");
        IOException under = assertThrows(IOException.class, () -> Files.createDirectories(file.resolve("run")));
        assertThat(Folders.reason(under)).isEqualTo(file.resolve("run") + ": Not a directory");
    }
}
