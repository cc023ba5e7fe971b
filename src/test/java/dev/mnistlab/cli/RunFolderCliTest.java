package dev.mnistlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mnistlab.FolderLock;
import dev.mnistlab.YamlFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue #17's run-folder defects, as a user meets them on the command line (short real trainings on MNIST). */
class RunFolderCliTest {

    private static final String[] QUICK = {"train", "--preset", "seed003", "--limit-train", "256", "--threads", "1"};

    @Test
    void aSecondTrainingIntoAFolderInUseIsRefusedAndNamesTheProcess(@TempDir Path dir) {
        Path out = dir.resolve("run");
        try (FolderLock held = FolderLock.acquire(out)) {
            CliRun second = CliRun.of(args(QUICK, "--epochs", "2", "--out", out.toString()));
            assertThat(second.code()).isEqualTo(2);
            assertThat(second.err().strip()).isEqualTo("mnistlab: " + out + " is in use by process "
                    + ProcessHandle.current().pid() + ", which is writing a run there; wait for it to end or stop it, "
                    + "or choose another folder");
            assertThat(out.resolve("experiment.yaml")).doesNotExist();
        }
    }

    @Test
    void forceStartsFromAnEmptyFolderAndAPausedRunIsNotTakenForAFinishedOne(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("run");
        assertThat(CliRun.of(args(QUICK, "--epochs", "1", "--out", out.toString())).code()).isZero();
        assertThat(out.resolve("weights.params")).exists();
        assertThat(out.resolve("report.html")).exists();

        CliRun again = CliRun.of(args(QUICK, "--epochs", "2", "--stop-after", "1", "--force", "--out", out.toString()));
        assertThat(again.code()).as(again.err()).isZero();
        // nothing of the first run is left to pass for the paused one's
        for (String old : new String[] {"weights.params", "predictions.csv", "report.html", "summary.txt", "lr.csv"}) {
            assertThat(out.resolve(old)).as(old).doesNotExist();
        }
        assertThat(YamlFiles.read(out.resolve("run.yaml")).path("status").asText()).isEqualTo("paused");
        try (var siblings = Files.list(dir)) {
            assertThat(siblings.map(p -> p.getFileName().toString())).containsExactly("run");
        }
        for (String[] use : new String[][] {{"predict", out.toString(), "x.png"}, {"evaluate", out.toString()},
                {"export", out.toString(), "--to", dir.resolve("export").toString()}}) {
            CliRun o = CliRun.of(use);
            assertThat(o.code()).as(use[0]).isEqualTo(2);
            assertThat(o.err()).as(use[0]).contains("not a finished run folder: weights.params is missing");
        }
    }

    @Test
    void anErrorIsOneLineWithNoStopLineAfterItAndTheRunRecordsThatItStopped(@TempDir Path dir) {
        Path out = dir.resolve("run");
        CliRun o = CliRun.of(args(QUICK, "--epochs", "2", "--lr", "1e6", "--out", out.toString()));
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err().strip().lines()).hasSize(1).allMatch(l -> l.startsWith("mnistlab: training diverged"));
        assertThat(YamlFiles.read(out.resolve("run.yaml")).path("status").asText()).isEqualTo("stopped");
    }

    /** Issue #17: BatchNorm after a global pool met a last batch of one image and failed in libtorch. */
    @Test
    void aLastTrainingBatchOfOneImageIsLeftOutSoBatchNormAfterAPoolTrains(@TempDir Path dir) throws IOException {
        Path spec = Files.writeString(dir.resolve("gapbn.yaml"), "layers: [conv: 8, relu, gap, flatten, bn, linear: 10]\n");
        CliRun o = CliRun.of("train", spec.toString(), "--epochs", "1", "--limit-train", "129", "--threads", "1",
                "--out", dir.resolve("run").toString());
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(o.out()).contains("each epoch leaves out its last batch, a single image").contains("1 batches in");
    }

    private static String[] args(String[] base, String... more) {
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }
}
