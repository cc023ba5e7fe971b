package dev.mnistlab.data;

import dev.mnistlab.MnistlabException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MnistChecksumsTest {

    static final String ABC_SHA256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    @TempDir
    Path dir;

    @Test
    void hashesUncompressedContent() throws Exception {
        byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);
        Path raw = IdxFiles.write(dir, "raw", abc);
        Path gz = IdxFiles.write(dir, "raw.gz", IdxFiles.gzip(abc));

        assertThat(Checksums.sha256(raw)).isEqualTo(ABC_SHA256);
        assertThat(Checksums.sha256(gz)).isEqualTo(ABC_SHA256);
    }

    @Test
    void verifyAcceptsGoodAndNamesFileAndHashesWhenBad() throws Exception {
        Path f = IdxFiles.write(dir, "train-labels-idx1-ubyte", "abc".getBytes(StandardCharsets.US_ASCII));

        assertThatCode(() -> Checksums.verify(f, ABC_SHA256.toUpperCase())).doesNotThrowAnyException();
        assertThatThrownBy(() -> Checksums.verify(f, Checksums.TRAIN_LABELS_SHA256))
                .isInstanceOf(MnistlabException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("SHA-256 " + ABC_SHA256)
                .hasMessageContaining("expected " + Checksums.TRAIN_LABELS_SHA256);
    }

    @Test
    void listsTheFourFilesInOrder() {
        assertThat(Checksums.EXPECTED.keySet()).containsExactly(
                "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");
    }
}
