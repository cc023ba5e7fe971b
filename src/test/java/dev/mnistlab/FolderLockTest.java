package dev.mnistlab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FolderLockTest {

    @Test
    void aSecondTakerIsRefusedWithTheHoldersProcessAndGetsTheFolderOnceItIsReleased(@TempDir Path dir) {
        Path run = dir.resolve("run");
        try (FolderLock first = FolderLock.acquire(run)) {
            assertThatThrownBy(() -> FolderLock.acquire(run)).isInstanceOf(MnistlabException.class)
                    .hasMessage(run + " is in use by process " + ProcessHandle.current().pid()
                            + ", which is writing a run there; wait for it to end or stop it, or choose another folder");
        }
        FolderLock.acquire(run).close();
    }

    @Test
    void aLockHeldByAnotherProcessIsRefusedAndTakenOverWhenThatProcessIsKilled(@TempDir Path dir) throws Exception {
        Path run = Files.createDirectories(dir.resolve("run"));
        // another JVM takes the lock and keeps it until killed
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path holder = dir.resolve("Holder.java");
        Files.writeString(holder, """
                import java.nio.channels.FileChannel;
                import java.nio.file.*;
                public class Holder {
                    public static void main(String[] a) throws Exception {
                        FileChannel c = FileChannel.open(Path.of(a[0], ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                        c.lock();
                        c.write(java.nio.ByteBuffer.wrap((ProcessHandle.current().pid() + "\\n").getBytes()), 0);
                        System.out.println("locked");
                        Thread.sleep(60_000);
                    }
                }
                """);
        Process p = new ProcessBuilder(java, holder.toString(), run.toString()).redirectErrorStream(true).start();
        try {
            assertThat(new String(p.getInputStream().readNBytes(7))).isEqualTo("locked\n".substring(0, 7));
            assertThatThrownBy(() -> FolderLock.acquire(run)).isInstanceOf(MnistlabException.class)
                    .hasMessageContaining("is in use by process " + p.pid());
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        // the dead process's .lock file is still there, but no lock: the next run takes it over
        assertThat(run.resolve(FolderLock.FILE)).exists();
        try (FolderLock taken = FolderLock.acquire(run)) {
            assertThat(Files.readString(run.resolve(FolderLock.FILE)).trim()).isEqualTo(Long.toString(ProcessHandle.current().pid()));
        }
    }

    @Test
    void aFolderThatCannotBeCreatedIsOneLine(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertThatThrownBy(() -> FolderLock.acquire(file.resolve("run"))).isInstanceOf(MnistlabException.class)
                .hasMessageStartingWith("cannot lock " + file.resolve("run"));
    }
}
