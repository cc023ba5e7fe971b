package dev.mnistlab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Folder chores shared by the packages. */
public final class Folders {

    private Folders() {}

    /**
     * Deletes {@code root} and everything in it, as far as it can: for temporary folders, where a leftover
     * is harmless and the work that used them matters more. A null or missing root is nothing to do.
     */
    public static void deleteQuietly(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // see above: a temporary folder left behind is harmless
        }
    }
}
