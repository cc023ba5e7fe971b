package dev.mnistlab;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An operating-system lock on a folder's {@code .lock} file, held while a run, sweep, search or journey
 * writes there, so a second command on the same folder fails instead of mixing its files into the first
 * one's. The OS releases the lock when its process dies however it dies, so a lock file left by a killed
 * process is simply taken over. The file holds the owner's process id, for the message.
 */
public final class FolderLock implements AutoCloseable {

    public static final String FILE = ".lock";

    private final FileChannel channel;
    private final FileLock lock;

    private FolderLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Creates {@code dir} if needed and locks it, or fails with one line naming the process that holds it. */
    public static FolderLock acquire(Path dir) {
        FileChannel channel = null;
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(dir.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException sameProcess) {
                lock = null;
            }
            if (lock == null) {
                String holder = Files.readString(dir.resolve(FILE), StandardCharsets.UTF_8).trim();
                channel.close();
                throw new MnistlabException(dir + " is in use by process " + (holder.isEmpty() ? "(unknown)" : holder)
                        + ", which is writing a run there; wait for it to end or stop it, or choose another folder");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            return new FolderLock(channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new MnistlabException("cannot lock " + dir + " (" + e + "); choose another folder");
        }
    }

    /** Releases the lock; the file stays (an unlocked .lock file is free for the next taker). */
    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel releases it as well
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException ignored) {
            // nothing held any more
        }
    }
}
