package dev.mnistlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mnistlab.search.StudyStore;
import dev.mnistlab.train.EpochResult;
import dev.mnistlab.train.RunSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several worker processes on one study store, one of them SIGKILLed in the middle of a trial: the study finishes,
 * the dead worker's trial is taken over after its lease and resumed from its last stored epoch, every trial is trained
 * exactly once per rung, and every epoch's metrics equal those of a one-worker run of the same search.
 * On SQLite here; on a real PostgreSQL server in {@link StudyPostgresTest}.
 */
class StudyWorkersProcessTest {

    static final String SPACE = """
            convs_before_pool: [2]
            convs_after_pool: [2, 3]
            channels: [4, 6, 8]
            padding_before_pool: [0]
            transition: [0, 6]
            dropout: [0]
            lr: [0.05, 0.1]
            schedule: [step, onecycle]
            rotation: [5]
            translate: [0]
            batch_size: [100]
            epochs: 3
            min_fill: 0.3
            """;

    @Test
    void twoWorkersOnSqliteOneKilledMidTrialFinishAsOneWorkerWould(@TempDir Path dir) throws Exception {
        Path reference = oneWorkerReference(dir);
        String shared = dir.resolve("shared/study.db").toString();
        killOneOf(dir, shared, "search-1500-seed1", 1, reference);
    }

    /** The study trained by one local worker (the default store in its folder): what every other run must equal. */
    static Path oneWorkerReference(Path dir) throws IOException {
        Path space = dir.resolve("space.yaml");
        Files.writeString(space, SPACE);
        Path out = dir.resolve("reference");
        CliRun run = CliRun.of(search(space, "--parallel", "1", "--out", out.toString()).toArray(String[]::new));
        assertThat(run.code()).as(run.out() + run.err()).isZero();
        return out.resolve("study.db");
    }

    static List<String> search(Path space, String... more) {
        List<String> args = new ArrayList<>(List.of("search", "--budget", "1500", "--trials", "3", "--space", space.toString(),
                "--min-epochs", "2", "--eta", "2", "--seeds", "1", "--validation", "500", "--limit-train", "1000",
                "--lease", "5"));
        args.addAll(List.of(more));
        return args;
    }

    /**
     * A search (one local worker) and {@code workers} worker processes on {@code storage}; the first worker is
     * SIGKILLed once it holds a trial with an epoch stored. Checks the study against the one-worker reference.
     */
    static void killOneOf(Path dir, String storage, String study, int workers, Path reference) throws Exception {
        Path space = dir.resolve("space.yaml");
        Process search = start(search(space, "--storage", storage, "--study", study, "--parallel", "1",
                "--out", dir.resolve("searcher").toString()), dir.resolve("search.log"));
        if (!storage.contains("://")) { // a worker opens only an SQLite store that exists: the search creates it
            for (int i = 0; i < 600 && !Files.exists(Path.of(storage)) && search.isAlive(); i++) {
                Thread.sleep(50);
            }
        }
        List<Process> started = new ArrayList<>();
        for (int i = 1; i <= workers; i++) {
            started.add(start(List.of("worker", "--storage", storage, "--study", study, "--parallel", "1", "--lease", "5",
                    "--out", dir.resolve("worker" + i).toString()), dir.resolve("worker" + i + ".log")));
        }
        Process victim = started.get(0);
        String victimId = ":" + victim.pid() + "/";
        StudyStore.Trial held = null;
        try (StudyStore store = StudyStore.open(storage)) {
            for (int i = 0; i < 3000 && held == null && victim.isAlive(); i++) {
                Thread.sleep(50);
                held = heldBetweenEpochs(store, study, victimId, victim, dir.resolve("worker1"));
            }
        }
        assertThat(held).as("the worker to kill never held a trial with a stored epoch: "
                + Files.readString(dir.resolve("worker1.log"))).isNotNull();
        List<ProcessHandle> children = victim.descendants().toList();
        victim.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, the lease just stops being renewed
        signal("CONT", children); // let the frozen training see that its worker is gone
        for (ProcessHandle child : children) {
            assertThat(child.onExit().get(30, TimeUnit.SECONDS).isAlive()).as("the dead worker's training").isFalse();
        }

        assertThat(search.waitFor(10, TimeUnit.MINUTES)).isTrue();
        assertThat(search.exitValue()).as(Files.readString(dir.resolve("search.log"))).isZero();
        for (Process p : started.subList(1, started.size())) {
            assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
            assertThat(p.exitValue()).isZero();
        }
        assertThat(Files.readString(dir.resolve("searcher/results.md"))).contains("(best)");

        try (StudyStore store = StudyStore.open(storage)) {
            List<String> events = store.events(study);
            String name = held.name();
            assertThat(events).as("the killed worker's trial").anyMatch(e -> e.startsWith(name + ": claimed after the lease of ")
                    && e.contains(victimId) && e.matches(".* lapsed, [1-9]\\d* epochs in the store.*"));
            // once per rung: one done per trial and stage, and 3 + 2 + 1 trainings in all
            List<String> done = events.stream().filter(e -> e.matches("\\S+: done.*"))
                    .map(e -> e.substring(0, e.indexOf(':')) + e.replaceFirst(".*, stage (\\d+).*", "@$1")).toList();
            assertThat(done).doesNotHaveDuplicates().hasSize(6);
            try (StudyStore one = StudyStore.sqlite(reference)) {
                assertThat(metrics(store, study)).isEqualTo(metrics(one, "search-1500-seed1"));
            }
        }
        // what any machine can read back from the store: the trials, and the search's results
        CliRun status = CliRun.of("study", "status", "--storage", storage, "--study", study);
        assertThat(status.code()).as(status.err()).isZero();
        assertThat(status.out()).contains("Study " + study + " (search): finished; 4 of 4 trials done")
                .containsPattern("t0\\d-seed-1 +done +final +\\S+ +3/3 +- +\\d+\\.\\d\\d");
        CliRun results = CliRun.of("study", "results", "--storage", storage, "--study", study, "--out",
                dir.resolve("results").toString());
        assertThat(results.code()).as(results.err()).isZero();
        assertThat(Files.readString(dir.resolve("results/results.md")))
                .isEqualTo(Files.readString(dir.resolve("searcher/results.md")));
        assertThat(Files.readString(dir.resolve("results/best.yaml")))
                .isEqualTo(Files.readString(dir.resolve("searcher/best.yaml")));
    }

    /**
     * The victim's running trial once one of its epochs, and not its last, is in the store; else null. A trial of a
     * few hundred images trains an epoch in less than the worker's one-second sync, so the training process is frozen
     * (SIGSTOP) while its folder is looked at: when it has finished an epoch short of its target, it stays frozen
     * until the worker (not frozen) has stored that epoch; otherwise it goes on (SIGCONT).
     */
    static StudyStore.Trial heldBetweenEpochs(StudyStore store, String study, String victimId, Process victim,
            Path victimOut) throws Exception {
        if (store.study(study) == null) {
            return null;
        }
        StudyStore.Trial running = store.trials(study).stream()
                .filter(t -> t.state().equals(StudyStore.RUNNING) && t.worker() != null && t.worker().contains(victimId))
                .findFirst().orElse(null);
        List<ProcessHandle> training = victim.descendants().toList();
        if (running == null || training.isEmpty()) {
            return null;
        }
        signal("STOP", training);
        RunSnapshot onDisk;
        try (var folders = Files.walk(victimOut)) {
            Path folder = folders.filter(p -> p.endsWith(running.folder())).findFirst().orElse(null);
            onDisk = folder == null ? null : RunSnapshot.read(folder);
        } catch (RuntimeException e) { // caught mid-write
            onDisk = null;
        }
        if (onDisk == null || onDisk.epoch() >= running.targetEpochs()) {
            signal("CONT", training);
            return null;
        }
        for (int i = 0; i < 100; i++) { // the worker syncs every second
            StudyStore.Trial now = store.trials(study).stream().filter(t -> t.id() == running.id()).findFirst().orElseThrow();
            if (now.epochsDone() >= 1 && now.epochsDone() < now.targetEpochs() && now.worker() != null
                    && now.worker().contains(victimId)) {
                return now;
            }
            Thread.sleep(50);
        }
        signal("CONT", training);
        return null;
    }

    static void signal(String signal, List<ProcessHandle> processes) throws Exception {
        for (ProcessHandle p : processes) {
            new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start().waitFor();
        }
    }

    /** Every trial's epochs, every column but the seconds, by trial name. */
    static Map<String, List<String>> metrics(StudyStore store, String study) {
        Map<Integer, List<EpochResult>> epochs = store.epochs(study);
        Map<String, List<String>> byName = new LinkedHashMap<>();
        for (StudyStore.Trial t : store.trials(study)) {
            byName.put(t.name() + " " + t.state(), epochs.getOrDefault(t.id(), List.of()).stream()
                    .map(e -> e.csvLine().replaceFirst(",[^,]*$", "")).toList());
        }
        return byName;
    }

    static Process start(List<String> args, Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(args);
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    static String uniqueStudy() {
        return "test-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
