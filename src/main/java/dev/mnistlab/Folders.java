package dev.mnistlab;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/** Folder chores shared by the packages. */
public final class Folders {

    /** The longest folder name {@link #safeName} makes: with a time stamp and a suffix it stays far below 255 bytes. */
    public static final int NAME_LENGTH = 48;

    private Folders() {}

    /**
     * The folder name for a name users write (a spec's, a journey's or a step's): its letters and digits in
     * lower case, every other run of characters one '-', at most {@link #NAME_LENGTH} characters. So no name
     * leaves its parent folder ('/', '..'), hides ('.x') or puts a control character into a path, and names
     * differing only in case do not collide on case-insensitive disks. A name with no letter or digit is refused.
     *
     * @param where what the name belongs to, for the message (e.g. "my.yaml")
     */
    public static String safeName(String name, String where) {
        String folder = Normalizer.normalize(name, Normalizer.Form.NFC).toLowerCase(Locale.ROOT)
                .replaceAll("[^\\p{L}\\p{N}]+", "-").replaceAll("^-|-$", "");
        if (folder.codePointCount(0, folder.length()) > NAME_LENGTH) {
            folder = folder.substring(0, folder.offsetByCodePoints(0, NAME_LENGTH)).replaceAll("-$", "");
        }
        if (folder.isEmpty()) {
            throw new MnistlabException(where + ": the name '" + printable(name)
                    + "' has no letter or digit to name a folder after; use a name such as 'my-model'");
        }
        return folder;
    }

    /** A name as a one-line message may show it: control characters escaped, at most 60 characters. */
    private static String printable(String name) {
        StringBuilder sb = new StringBuilder();
        name.codePoints().limit(60).forEach(c -> sb.append(Character.isISOControl(c)
                ? String.format(Locale.ROOT, "\\u%04x", c) : Character.toString(c)));
        return name.codePoints().count() > 60 ? sb + "..." : sb.toString();
    }

    /**
     * Why a file operation failed, in words: Java's file exceptions often carry only the path (a folder
     * that cannot be made because a file has its name says just that name).
     */
    public static String reason(IOException e) {
        String file = e instanceof FileSystemException f && f.getFile() != null ? f.getFile() : "";
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return (file.isEmpty() ? "" : file + ": ") + f.getReason();
        }
        if (e instanceof FileAlreadyExistsException) {
            return file + " already exists and is in the way";
        }
        if (e instanceof NoSuchFileException) {
            return file + " does not exist";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied: " + file;
        }
        if (e instanceof NotDirectoryException) {
            return file + " is not a folder";
        }
        if (e instanceof DirectoryNotEmptyException) {
            return file + " is a folder that is not empty";
        }
        return String.valueOf(e.getMessage());
    }

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
