package dev.mnistlab.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mnistlab.MnistlabException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunFolderTest {

    @Test
    void aDiskThatFillsMidWriteLeavesTheOldFileAndNoTemporary(@TempDir Path dir) throws IOException {
        RunFolder folder = RunFolder.create(dir.resolve("run"), "x", false);
        folder.writeText("metrics.csv", "epoch\n1\n");
        assertThatThrownBy(() -> folder.write("metrics.csv", out -> {
            out.write("epoch\n1\n2\n".getBytes());
            throw new IOException("No space left on device");
        })).isInstanceOf(MnistlabException.class)
                .hasMessageContaining("metrics.csv").hasMessageContaining("No space left on device")
                .hasMessageContaining("free disk space");
        assertThat(Files.readString(folder.file("metrics.csv"))).isEqualTo("epoch\n1\n");
        try (var files = Files.list(folder.dir())) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("metrics.csv");
        }
    }

    @Test
    void anExistingRunIsRefusedUnlessForced(@TempDir Path dir) throws IOException {
        Path run = dir.resolve("run");
        RunFolder.create(run, "x", false).writeText("metrics.csv", "epoch\n");
        assertThatThrownBy(() -> RunFolder.create(run, "x", false))
                .hasMessageContaining("already holds a run").hasMessageContaining("--force");
        assertThat(RunFolder.create(run, "x", true).dir()).isEqualTo(run);
    }

    @Test
    void anUnwritableOutputIsNamed(@TempDir Path dir) throws IOException {
        Path blocker = Files.writeString(dir.resolve("a-file"), "not a folder");
        assertThatThrownBy(() -> RunFolder.create(blocker.resolve("run"), "x", false))
                .isInstanceOf(MnistlabException.class).hasMessageContaining("cannot create run folder")
                .hasMessageContaining("--out");
    }

    /** "cannot create run folder X (X)" said nothing of why. */
    @Test
    void whyARunFolderCannotBeMadeIsSaid(@TempDir Path dir) throws IOException {
        Path blocker = Files.writeString(dir.resolve("a-file"), "not a folder");
        assertThatThrownBy(() -> RunFolder.create(blocker, "x", false)).hasMessage("cannot create run folder " + blocker
                + " (" + blocker + " already exists and is in the way); choose another with --out");
        assertThatThrownBy(() -> RunFolder.create(blocker.resolve("run"), "x", false)).hasMessage("cannot create run folder "
                + blocker.resolve("run") + " (" + blocker.resolve("run") + ": Not a directory); choose another with --out");
    }

    @Test
    void theDefaultFolderIsRunsTimeName() {
        Path dir = RunFolder.defaultDir("seed001-seeds");
        assertThat(dir.getParent()).isEqualTo(Path.of("runs"));
        assertThat(dir.getFileName().toString()).matches("\\d{8}-\\d{6}-seed001-seeds");
    }

    @Test
    void resumeNeedsARunFolder(@TempDir Path dir) {
        assertThatThrownBy(() -> RunFolder.existing(dir)).hasMessageContaining("is not a run folder");
        assertThatThrownBy(() -> Checkpoint.load(RunFolder.create(dir.resolve("r"), "x", false)))
                .hasMessageContaining("has no checkpoint");
    }
}
