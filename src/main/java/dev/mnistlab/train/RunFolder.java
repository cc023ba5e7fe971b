package dev.mnistlab.train;

import dev.mnistlab.AtomicFiles;
import dev.mnistlab.FolderLock;
import dev.mnistlab.Folders;
import dev.mnistlab.MnistlabException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.stream.Stream;

/**
 * A run's output folder. Every file goes through {@link AtomicFiles}, so a crash or a full disk never
 * leaves a half-written file under its real name.
 */
public final class RunFolder {

    public static final String EXPERIMENT = "experiment.yaml";
    public static final String METRICS = "metrics.csv";
    public static final String WEIGHTS = "weights.params";
    public static final String SUMMARY = "summary.txt";
    public static final String RUN_INFO = "run.yaml";
    public static final String LR = "lr.csv";
    public static final String PREDICTIONS = "predictions.csv";
    public static final String CHECKPOINT = "checkpoint.bin";

    private final Path dir;

    private RunFolder(Path dir) {
        this.dir = dir;
    }

    /**
     * Creates the folder: {@code out} if given, else runs/&lt;time&gt;-&lt;name&gt;. An existing non-empty
     * folder is refused unless {@code force}.
     */
    public static RunFolder create(Path out, String name, boolean force) {
        Path dir = out != null ? out : defaultDir(name);
        try {
            List<Path> old = Files.isDirectory(dir) ? contents(dir) : List.of();
            if (!old.isEmpty() && !force) {
                throw new MnistlabException(dir + " already holds a run; choose another --out or pass --force to overwrite it");
            }
            Files.createDirectories(dir);
            if (!Files.isWritable(dir)) {
                throw new MnistlabException(dir + " is not writable; choose another folder with --out");
            }
            replace(dir, old);
        } catch (IOException e) {
            throw new MnistlabException("cannot create run folder " + dir + " (" + Folders.reason(e) + "); choose another with --out");
        }
        return new RunFolder(dir);
    }

    /** What a folder holds, its lock file aside (see {@link FolderLock}). */
    private static List<Path> contents(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> !p.getFileName().toString().equals(FolderLock.FILE)).toList();
        }
    }

    /**
     * --force: the old run's files are moved into a sibling folder (each a rename on the same disk) before
     * anything new is written, then deleted, so none of them can pass for the new run's (weights, report).
     */
    private static void replace(Path dir, List<Path> old) throws IOException {
        if (old.isEmpty()) {
            return;
        }
        Path aside = Files.createTempDirectory(dir.toAbsolutePath().getParent(), "." + dir.getFileName() + ".replaced-");
        for (Path entry : old) {
            Files.move(entry, aside.resolve(entry.getFileName()), StandardCopyOption.ATOMIC_MOVE);
        }
        Folders.deleteQuietly(aside);
    }

    /**
     * Where output goes when no folder is named: runs/&lt;yyyyMMdd-HHmmss&gt;-&lt;name&gt;, the time being now
     * and the name made safe for a path ({@link Folders#safeName}).
     */
    public static Path defaultDir(String name) {
        return Path.of("runs", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-"
                + Folders.safeName(name, "run name"));
    }

    public static RunFolder existing(Path dir) {
        if (!Files.isRegularFile(dir.resolve(EXPERIMENT))) {
            throw new MnistlabException(dir + " is not a run folder: it has no " + EXPERIMENT + "; give a folder that mnistlab train wrote");
        }
        return new RunFolder(dir);
    }

    public Path dir() {
        return dir;
    }

    public Path file(String name) {
        return dir.resolve(name);
    }

    public void writeText(String name, String text) {
        AtomicFiles.write(dir.resolve(name), text);
    }

    public void write(String name, AtomicFiles.Writer writer) {
        AtomicFiles.write(dir.resolve(name), writer);
    }
}
