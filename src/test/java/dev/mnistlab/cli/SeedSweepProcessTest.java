package dev.mnistlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mnistlab.FolderLock;
import dev.mnistlab.train.Experiment;
import dev.mnistlab.train.Recipe;
import dev.mnistlab.train.RunFolder;
import dev.mnistlab.train.RunInfo;
import dev.mnistlab.train.TrainRequest;
import java.net.InetAddress;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `train --seeds` with real child processes: a rerun reuses finished seeds, retrains one whose worker died (given
 * back at once: its process is gone) and refuses another experiment.
 */
class SeedSweepProcessTest {

    @Test
    void aRerunReusesFinishedSeedsAndRefusesAnotherRecipe(@TempDir Path dir) throws Exception {
        String out = dir.resolve("sweep").toString();
        String[] args = {"train", "--preset", "seed001", "--epochs", "1", "--limit-train", "600", "--seeds", "2",
                "--out", out};
        CliRun first = CliRun.of(args);
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.out()).contains("seed 1 finished in").contains("seed 2 finished in")
                .contains("Total wall time");
        String table = first.out().substring(first.out().indexOf("Test accuracy over the last"));

        // as if seed 2's worker (a process that is gone) had died 10 s into its 60 s lease, before its first epoch
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("sweep/study.db"));
             Statement s = c.createStatement()) {
            s.execute("UPDATE trials SET state = 'running', worker = '" + InetAddress.getLocalHost().getHostName()
                    + ":2147483647/1', lease_until = " + (System.currentTimeMillis() + 50_000) // renewed 10 s ago
                    + ", epochs_done = 0, checkpoint = NULL WHERE name = 'seed-2'");
            s.execute("DELETE FROM epochs WHERE trial = (SELECT id FROM trials WHERE name = 'seed-2')");
            s.execute("UPDATE studies SET finished = 0");
        }
        // ... so its folder holds no checkpoint yet
        Files.delete(dir.resolve("sweep/seed-2/" + RunFolder.CHECKPOINT));
        CliRun again = CliRun.of(args);
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(again.out()).contains("seed 1 finished before, reused").contains("seed 2 finished in")
                .containsPattern("Total wall time: \\d+ s for 1 seed, \\d+ at a time \\(1 seed reused\\)");
        String tableAgain = again.out().substring(again.out().indexOf("Test accuracy over the last"));
        // same numbers; only the wall time differs
        assertThat(tableAgain.substring(0, tableAgain.indexOf("Total wall time")))
                .isEqualTo(table.substring(0, table.indexOf("Total wall time")));

        CliRun other = CliRun.of("train", "--preset", "seed001", "--epochs", "1", "--limit-train", "600", "--lr", "0.02",
                "--seeds", "2", "--out", out);
        assertThat(other.code()).isNotZero();
        assertThat(other.err()).contains("seed-1 holds a run of another model, recipe").doesNotContain("Exception");
    }

    /**
     * Seeds trained one by one ({@code train --seed N --threads 1 --out DIR/seed-N}, as on several machines or over
     * days) are taken over by {@code train --seeds N --out DIR}: the finished one is reused as it is, the stopped one
     * resumed, and the table is the sweep's. A run of another recipe in a seed's folder is refused, not emptied.
     */
    @Test
    void seedsTrainedOneByOneAreTakenOverAndAnotherRecipesRunIsRefused(@TempDir Path dir) throws Exception {
        Path sweep = dir.resolve("sweep");
        String[] common = {"--preset", "seed001", "--epochs", "2", "--limit-train", "600", "--threads", "1"};
        CliRun one = CliRun.of(concat(new String[] {"train", "--seed", "1", "--out", sweep.resolve("seed-1").toString()}, common));
        assertThat(one.code()).as(one.err()).isZero();
        CliRun two = CliRun.of(concat(new String[] {"train", "--seed", "2", "--stop-after", "1", "--out",
                sweep.resolve("seed-2").toString()}, common));
        assertThat(two.code()).as(two.err()).isZero();
        String seedOne = Files.readString(sweep.resolve("seed-1/metrics.csv"));

        CliRun taken = CliRun.of("train", "--preset", "seed001", "--epochs", "2", "--limit-train", "600", "--seeds", "2",
                "--out", sweep.toString());
        assertThat(taken.code()).as(taken.out() + taken.err()).isZero();
        assertThat(taken.out()).contains("seed 1 finished before, reused").contains("seed 2 finished in")
                .containsPattern("\\(1 seed reused\\)");
        assertThat(Files.readString(sweep.resolve("seed-1/metrics.csv"))).isEqualTo(seedOne);
        assertThat(Files.readString(sweep.resolve("seed-2/metrics.csv")).lines().count()).isEqualTo(3); // header + 2

        Path other = dir.resolve("other");
        CliRun lr = CliRun.of(concat(new String[] {"train", "--seed", "1", "--lr", "0.02", "--out",
                other.resolve("seed-1").toString()}, common));
        assertThat(lr.code()).as(lr.err()).isZero();
        CliRun refused = CliRun.of("train", "--preset", "seed001", "--epochs", "2", "--limit-train", "600", "--seeds", "2",
                "--out", other.toString());
        assertThat(refused.code()).isNotZero();
        assertThat(refused.err()).contains(other.resolve("seed-1") + " holds a run of another model, recipe")
                .doesNotContain("Exception");
        assertThat(other.resolve("seed-1/metrics.csv")).exists();
        assertThat(other.resolve("study.db")).doesNotExist();
    }

    private static String[] concat(String[] a, String[] b) {
        return java.util.stream.Stream.concat(java.util.Arrays.stream(a), java.util.Arrays.stream(b)).toArray(String[]::new);
    }

    /**
     * Issue #17: every seed failing used to exit 0 unless --strict. Here each child fails for sure: another
     * process (this test) holds its run folder. Run again, the failed seeds are trained (they used to stay failed).
     */
    @Test
    void aSweepWhoseSeedsFailedExitsNonZeroWithoutStrict(@TempDir Path dir) {
        Path sweep = dir.resolve("sweep");
        try (FolderLock one = FolderLock.acquire(sweep.resolve("seed-1"));
             FolderLock two = FolderLock.acquire(sweep.resolve("seed-2"))) {
            CliRun o = CliRun.of("train", "--preset", "seed003", "--epochs", "1", "--limit-train", "256",
                    "--seeds", "2", "--out", sweep.toString());
            assertThat(o.code()).as(o.out()).isEqualTo(2);
            assertThat(o.out()).containsPattern("seed 1 finished in \\d+ s: FAILED \\(cannot use .*seed-1 is in use by process")
                    .containsPattern("seed 2 finished in \\d+ s: FAILED \\(cannot use .*seed-2 is in use by process");
        }
        // run again once the folders are free: the failed seeds get another try, as a user rerunning it expects
        CliRun again = CliRun.of("train", "--preset", "seed003", "--epochs", "1", "--limit-train", "256",
                "--seeds", "2", "--out", sweep.toString());
        assertThat(again.code()).as(again.out() + again.err()).isZero();
        assertThat(again.out()).containsPattern("seed 1 failed before \\(cannot use .*\\): trying again")
                .containsPattern("seed 2 failed before \\(cannot use .*\\): trying again")
                .containsPattern("seed 1 finished in \\d+ s: ").containsPattern("seed 2 finished in \\d+ s: ")
                .doesNotContain("FAILED");
    }

    @Test
    void everyOptionReachesTheChildrenThroughTheirRequestFiles(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("sweep");
        CliRun run = CliRun.of("train", "--preset", "seed001", "--epochs", "1", "--lr", "0.02", "--batch-size", "50",
                "--seed", "5", "--limit-train", "600", "--validation", "500", "--seeds", "2", "--out", out.toString());
        assertThat(run.code()).as(run.err()).isZero();
        // (whether a child then learns is not the point here: the known random NaN may stop one of them)
        assertThat(run.out()).contains("seed 5 finished in").contains("seed 6 finished in");
        Recipe preset = Experiment.preset("seed001").recipe();
        for (long seed : List.of(5L, 6L)) {
            Path folder = out.resolve("seed-" + seed);
            TrainRequest request = TrainRequest.read(out.resolve("seed-" + seed + ".request.yaml"));
            Recipe wanted = preset.withEpochs(1).withLr(0.02).withBatchSize(50).withSeed(seed);
            assertThat(request.experiment().recipe()).isEqualTo(wanted);
            assertThat(request).extracting(TrainRequest::run, TrainRequest::resume, TrainRequest::validation,
                    TrainRequest::limitTrain, TrainRequest::stopAfter, TrainRequest::threads)
                    .containsExactly(folder, false, 500, 600, null, 1);
            // and the child started training exactly that
            assertThat(Experiment.file(folder.resolve(RunFolder.EXPERIMENT)).recipe()).isEqualTo(wanted);
            RunInfo info = RunInfo.read(RunFolder.existing(folder));
            assertThat(info).extracting(RunInfo::validation, RunInfo::trainLimit, RunInfo::threads, RunInfo::seed)
                    .containsExactly(500, 600, 1, seed);
        }
    }

    /**
     * A seed whose training is killed by a signal goes back to be trained again (Ctrl-C, a stopped machine), but one
     * killed every time (the kernel's out-of-memory killer) used to go back for ever: after three kills it fails.
     */
    @Test
    void aSeedWhoseTrainingIsKilledThreeTimesFailsInsteadOfLooping(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("sweep.log");
        Process sweep = StudyWorkersProcessTest.start(List.of("train", "--preset", "seed003", "--epochs", "15",
                "--limit-train", "3000", "--seeds", "1", "--out", dir.resolve("sweep").toString()), log);
        try {
            java.util.Set<Long> killed = new java.util.HashSet<>();
            for (int kill = 1; kill <= 3; kill++) {
                ProcessHandle child = null;
                for (long end = System.nanoTime() + 120_000_000_000L; child == null && System.nanoTime() < end; ) {
                    child = sweep.children().filter(p -> p.isAlive() && !killed.contains(p.pid())
                            && p.info().command().orElse("").endsWith("java")).findFirst().orElse(null);
                    Thread.sleep(200);
                }
                assertThat(child).as("training process %d never started: %s", kill, Files.readString(log)).isNotNull();
                killed.add(child.pid());
                child.destroyForcibly();
            }
            assertThat(sweep.waitFor(120, java.util.concurrent.TimeUnit.SECONDS))
                    .as("%s%s", Files.readString(log), Files.readString(dir.resolve("sweep/seed-1.log"))).isTrue();
            String out = Files.readString(log);
            assertThat(sweep.exitValue()).as(out).isEqualTo(2);
            assertThat(out).containsPattern(
                    "seed 1 finished in \\d+ s: FAILED \\(its training was killed by a signal 3 times \\(the last exit 137; out of memory\\?\\)");
        } finally {
            sweep.destroyForcibly();
        }
    }
}
