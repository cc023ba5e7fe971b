package dev.mnistlab.report;

import dev.mnistlab.MnistlabException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a file through a temporary sibling and a rename, as run folders do, so a reader (or a browser
 * refreshing report.html during a run) sees the old file or the new one, never half of one. Also used
 * for comparison and journey folders, which are no run folders.
 */
final class AtomicFile {

    private AtomicFile() {}

    static void write(Path target, String text) {
        write(target, text.getBytes(StandardCharsets.UTF_8));
    }

    static void write(Path target, byte[] content) {
        Path temp = target.resolveSibling("." + target.getFileName() + ".tmp");
        try {
            try (FileOutputStream out = new FileOutputStream(temp.toFile())) {
                out.write(content);
                out.getFD().sync();
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // the original failure is the one worth reporting
            }
            throw new MnistlabException("cannot write " + target + " (" + e.getMessage() + "); check free disk space and permissions");
        }
    }
}
