package dev.mnistlab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What the one YAML reader refuses instead of reading as something else. */
class YamlFilesTest {

    private static String error(String yaml) {
        try {
            YamlFiles.read(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "t.yaml");
        } catch (MnistlabException e) {
            assertThat(e.getMessage()).doesNotContain("\n");
            return e.getMessage();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("no error for " + yaml);
    }

    @Test
    void aDuplicatedKeyIsRefusedWhereTheSecondOneIs() {
        assertThat(error("layers:\n  - relu\nlayers:\n  - gap\n"))
                .isEqualTo("t.yaml line 3, column 7: YAML syntax error: the key 'layers' appears twice in one map; keep one");
        assertThat(error("layers:\n  - conv: {out: 8, out: 10}\n")).contains("line 2").contains("the key 'out' appears twice");
    }

    @Test
    void aSecondDocumentIsRefused() {
        assertThat(error("layers: [relu]\n---\nlayers: [gap]\n"))
                .isEqualTo("t.yaml line 3, column 1: a second YAML document (after '---'); put everything in one document");
        assertThat(error("epochs: 3\n---\n7\n")).contains("a second YAML document");
    }

    @Test
    void aLeadingDocumentMarkerIsStillOneDocument() throws IOException {
        assertThat(YamlFiles.read(new ByteArrayInputStream("---\nepochs: 3\n".getBytes(StandardCharsets.UTF_8)), "t.yaml")
                .get("epochs").asInt()).isEqualTo(3);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // Jackson read *b as the text "b", so this used to become "'out' must be a positive integer (got "b")"
        "block: &b {out: 10}\\nlayers:\\n  - conv: *b\\n | line 1, column 8",
        "layers:\\n  - conv: &c 10\\n  - conv: *c\\n | line 3, column 11",
        "x: *nothing\\n | line 1, column 4",
        "x: &l [1, 2]\\n | line 1, column 4"})
    void anchorsAndAliasesAreRefused(String yaml, String where) {
        assertThat(error(yaml.replace("\\n", "\n"))).startsWith("t.yaml " + where)
                .endsWith("YAML anchors and aliases (&name, *name) are not supported; write the value out");
    }

    @Test
    void aFolderIsNotAYamlSyntaxError(@TempDir Path dir) {
        assertThatThrownBy(() -> YamlFiles.read(dir)).isInstanceOf(MnistlabException.class)
                .hasMessage(dir + ": is a folder, not a YAML file");
    }

    /** 8 MB of one scalar took 11 s to parse before being refused as "not a map"; now it is refused by its size. */
    @Test
    @Timeout(10)
    void aFileOverTheLimitIsRefusedBeforeParsing(@TempDir Path dir) throws IOException {
        Path big = dir.resolve("big.yaml");
        Files.writeString(big, "a".repeat(8_000_000));
        assertThatThrownBy(() -> YamlFiles.read(big)).isInstanceOf(MnistlabException.class)
                .hasMessage(big + ": the file is larger than 256 KiB (262,144 bytes), the most a YAML file here may hold");
        // a stream (a preset resource) is held to the same limit, read no further than one byte past it
        assertThat(error("a".repeat(YamlFiles.MAX_BYTES + 1))).contains("larger than 256 KiB");
    }

    @Test
    void aFileAtTheLimitIsRead(@TempDir Path dir) throws IOException {
        Path full = Files.writeString(dir.resolve("full.yaml"), "a: " + "b".repeat(YamlFiles.MAX_BYTES - 3));
        assertThat(YamlFiles.read(full).get("a").asText()).hasSize(YamlFiles.MAX_BYTES - 3);
    }
}
