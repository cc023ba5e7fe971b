package dev.mnistlab.data;

import dev.mnistlab.MnistlabException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;

import static dev.mnistlab.data.IdxFiles.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IdxReaderTest {

    @TempDir
    Path dir;

    @Test
    void readsRawFiles() throws Exception {
        Path img = write(dir, "img", images(N, SIDE, SIDE));
        Path lab = write(dir, "lab", labels(0, 1, 2, 3, 9));

        Split s = IdxReader.read("train", img, lab);

        assertThat(s.name()).isEqualTo("train");
        assertThat(s.count()).isEqualTo(N);
        assertThat(s.rows()).isEqualTo(SIDE);
        assertThat(s.cols()).isEqualTo(SIDE);
        assertThat(s.pixels()).hasSize(N * SIDE * SIDE);
        assertThat(s.labels()).containsExactly(0, 1, 2, 3, 9);
        assertThat(s.pixel(0, 255)).isEqualTo(255);
        assertThat(s.pixel(2, 10)).isEqualTo((2 * 31 + 10) & 0xFF);
        assertThat(s.label(4)).isEqualTo(9);
    }

    @Test
    void readsGzipByContentNotByName() throws Exception {
        byte[] raw = images(N, SIDE, SIDE);
        Path img = write(dir, "images.bin", gzip(raw));
        Path lab = write(dir, "labels.gz", labels(0, 1, 2, 3, 9)); // raw despite the name

        Split s = IdxReader.read("test", img, lab);

        assertThat(Arrays.equals(s.pixels(), Arrays.copyOfRange(raw, 16, raw.length))).isTrue();
        assertThat(s.labels()).containsExactly(0, 1, 2, 3, 9);
    }

    @Test
    void missingFile() throws Exception {
        Path lab = write(dir, "lab", labels(0));
        Path img = dir.resolve("nope-images");

        assertThatThrownBy(() -> IdxReader.read("train", img, lab))
                .isInstanceOf(MnistlabException.class)
                .hasMessageContaining(img.toString()).hasMessageContaining("not found").hasMessageContaining("--data-dir");
    }

    @Test
    void truncatedImages() throws Exception {
        byte[] full = images(N, SIDE, SIDE);
        Path img = write(dir, "img", Arrays.copyOf(full, full.length - 100));
        Path lab = write(dir, "lab", labels(0, 1, 2, 3, 4));

        assertThatThrownBy(() -> IdxReader.read("train", img, lab))
                .isInstanceOf(MnistlabException.class)
                .hasMessageContaining(img.toString()).hasMessageContaining("truncated")
                .hasMessageContaining(full.length + " bytes").hasMessageContaining("has " + (full.length - 100));
    }

    @Test
    void truncatedGzipHeaderAndLabels() throws Exception {
        Path img = write(dir, "img", gzip(Arrays.copyOf(images(N, SIDE, SIDE), 10)));
        Path lab = write(dir, "lab", labels(0, 1, 2, 3, 4));
        assertThatThrownBy(() -> IdxReader.read("train", img, lab))
                .hasMessageContaining(img.toString()).hasMessageContaining("truncated: header says 16 bytes, file has 10");

        Path img2 = write(dir, "img2", images(N, SIDE, SIDE));
        Path lab2 = write(dir, "lab2", Arrays.copyOf(labels(0, 1, 2, 3, 4), 11));
        assertThatThrownBy(() -> IdxReader.read("train", img2, lab2))
                .hasMessageContaining(lab2.toString()).hasMessageContaining("header says 13 bytes, file has 11");
    }

    @Test
    void trailingBytesAreRejected() throws Exception {
        byte[] full = images(N, SIDE, SIDE);
        Path img = write(dir, "img", Arrays.copyOf(full, full.length + 3));
        Path lab = write(dir, "lab", labels(0, 1, 2, 3, 4));
        assertThatThrownBy(() -> IdxReader.read("train", img, lab))
                .hasMessageContaining(img.toString()).hasMessageContaining("longer than its IDX header");
    }

    @Test
    void wrongMagicWhenFilesAreSwapped() throws Exception {
        Path img = write(dir, "img", images(N, SIDE, SIDE));
        Path lab = write(dir, "lab", labels(0, 1, 2, 3, 4));

        assertThatThrownBy(() -> IdxReader.read("train", lab, img))
                .isInstanceOf(MnistlabException.class)
                .hasMessageContaining(lab + " is not an IDX image file (magic 0x00000801, expected 0x00000803)");
    }

    @Test
    void countMismatchNamesBothFiles() throws Exception {
        Path img = write(dir, "img", images(N, SIDE, SIDE));
        Path lab = write(dir, "lab", labels(0, 1, 2));

        assertThatThrownBy(() -> IdxReader.read("train", img, lab))
                .isInstanceOf(MnistlabException.class)
                .hasMessageContaining(img + " holds 5 images").hasMessageContaining(lab + " holds 3 labels");
    }

    @Test
    void labelOutsideZeroToNine() throws Exception {
        Path img = write(dir, "img", images(N, SIDE, SIDE));
        Path lab = write(dir, "lab", labels(0, 1, 2, 10, 4));

        assertThatThrownBy(() -> IdxReader.read("train", img, lab))
                .isInstanceOf(MnistlabException.class)
                .hasMessageContaining(lab + ": label 3 is 10, expected 0-9");

        Path lab2 = write(dir, "lab2", labels(0, 1, 2, 3, 200));
        assertThatThrownBy(() -> IdxReader.read("train", img, lab2)).hasMessageContaining("label 4 is 200");
    }

    @Test
    void corruptGzip() throws Exception {
        Path lab = write(dir, "lab", labels(0, 1, 2, 3, 4));
        byte[] good = gzip(images(N, SIDE, SIDE));

        byte[] badMethod = good.clone();
        badMethod[2] = 7; // only deflate (8) exists
        Path img = write(dir, "img.gz", badMethod);
        assertThatThrownBy(() -> IdxReader.read("train", img, lab))
                .isInstanceOf(MnistlabException.class)
                .hasMessageContaining(img + " is not a readable gzip file");

        byte[] badCrc = good.clone();
        badCrc[badCrc.length - 6] ^= 0x5a; // inside the CRC-32 trailer
        Path img2 = write(dir, "img2.gz", badCrc);
        assertThatThrownBy(() -> IdxReader.read("train", img2, lab))
                .hasMessageContaining(img2 + " is not a readable gzip file");

        Path img3 = write(dir, "img3.gz", Arrays.copyOf(good, good.length / 2));
        assertThatThrownBy(() -> IdxReader.read("train", img3, lab))
                .isInstanceOf(MnistlabException.class).hasMessageContaining(img3 + " is not a readable gzip file");
    }
}
