package dev.mnistlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mnistlab.search.StudyStore;
import dev.mnistlab.train.Experiment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real (tiny) search in child processes: stopped hard after its first results, then run again. It must
 * pick up from its study store without redoing finished work, select on the validation split only, and leave a
 * results table and a best spec that loads as a preset.
 */
class SearchProcessTest {

    private static final String SPACE = """
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
            epochs: 2
            min_fill: 0.3
            """;

    @Test
    void aStoppedSearchContinuesFromItsStoreAndWritesTheBestSpec(@TempDir Path dir) throws Exception {
        Path space = dir.resolve("space.yaml");
        Files.writeString(space, SPACE);
        Path out = dir.resolve("search");
        List<String> args = List.of("search", "--budget", "1500", "--trials", "3", "--space", space.toString(),
                "--min-epochs", "1", "--eta", "2", "--seeds", "2", "--validation", "500", "--limit-train", "1500",
                "--parallel", "2", "--out", out.toString());

        Process first = start(args, dir.resolve("first.log"));
        Path db = out.resolve("study.db");
        for (int i = 0; i < 1200 && finished(db).isEmpty() && first.isAlive(); i++) {
            Thread.sleep(100);
        }
        assertThat(finished(db)).as(Files.readString(dir.resolve("first.log"))).isNotEmpty();
        List<ProcessHandle> children = first.descendants().toList();
        first.destroyForcibly().waitFor();
        int finishedBefore = finished(db).size();
        // its training children end by themselves when it dies
        for (ProcessHandle child : children) {
            assertThat(child.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS).isAlive()).isFalse();
        }

        Process second = start(args, dir.resolve("second.log"));
        assertThat(second.waitFor()).as(Files.readString(dir.resolve("second.log"))).isZero();
        String output = Files.readString(dir.resolve("second.log"));
        assertThat(output).contains("Continuing study 'search-1500-seed1'").contains("(from the store)");

        // every piece of work done once: nothing finished before the kill was trained again
        List<String> done = finished(db);
        assertThat(done).doesNotHaveDuplicates();
        assertThat(done.size()).isGreaterThan(finishedBefore);
        // 3 trials at epoch 1, the best 2 at epoch 2, then 1 finalist x 2 seeds
        assertThat(done).hasSize(3 + 2 + 2);

        // trials judged on held-out training images, finalists on the test set
        assertThat(Files.readString(out.resolve("trials/t01/run.yaml"))).contains("validation: 500");
        try (var finals = Files.list(out.resolve("final"))) {
            for (Path run : finals.filter(Files::isDirectory).toList()) {
                assertThat(Files.readString(run.resolve("run.yaml"))).contains("validation: null");
            }
        }
        String table = Files.readString(out.resolve("results.md"));
        assertThat(table).contains("| t01").contains("| t02").contains("| t03").contains("(best)")
                .contains("test min / mean / max");
        Experiment best = Experiment.file(out.resolve("best.yaml"));
        assertThat(best.name()).isEqualTo("search-1500");
        assertThat(best.spec().trace().trainableParameters()).isLessThanOrEqualTo(1500);
    }

    @Test
    void anotherSearchInTheSameFolderIsRefused(@TempDir Path dir) throws Exception {
        Path space = dir.resolve("space.yaml");
        Files.writeString(space, SPACE);
        Path out = dir.resolve("search");
        Files.createDirectories(out);
        Files.writeString(out.resolve("search.yaml"), "settings: {budget: 99}\n");
        CliRun run = CliRun.of("search", "--budget", "1500", "--trials", "2", "--space", space.toString(),
                "--out", out.toString());
        assertThat(run.code()).isNotZero();
        assertThat(run.err()).contains("holds a search with other settings").doesNotContain("Exception");
    }

    private static Process start(List<String> args, Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(args);
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** "t01@0"-style keys of the trainings the store records as done or failed, one per time it happened. */
    static List<String> finished(Path db) {
        if (!Files.exists(db)) {
            return List.of();
        }
        try (StudyStore store = StudyStore.sqlite(db)) {
            return store.studies().stream().flatMap(s -> store.events(s.name()).stream())
                    .filter(e -> e.matches("\\S+: (done|failed).*"))
                    .map(e -> e.substring(0, e.indexOf(':')) + "@" + e.replaceFirst(".*, stage (\\d+).*", "$1")).toList();
        }
    }
}
