package dev.mnistlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mnistlab.train.Experiment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real (tiny) search in child processes: stopped hard after its first results, then run again. It must
 * pick up from its log without redoing logged work, select on the validation split only, and leave a
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
    void aStoppedSearchContinuesFromItsLogAndWritesTheBestSpec(@TempDir Path dir) throws Exception {
        Path space = dir.resolve("space.yaml");
        Files.writeString(space, SPACE);
        Path out = dir.resolve("search");
        List<String> args = List.of("search", "--budget", "1500", "--trials", "3", "--space", space.toString(),
                "--min-epochs", "1", "--eta", "2", "--seeds", "2", "--validation", "500", "--limit-train", "1500",
                "--parallel", "2", "--out", out.toString());

        Process first = start(args, dir.resolve("first.log"));
        Path log = out.resolve("search-log.jsonl");
        for (int i = 0; i < 1200 && lines(log).isEmpty() && first.isAlive(); i++) {
            Thread.sleep(100);
        }
        assertThat(lines(log)).as(Files.readString(dir.resolve("first.log"))).isNotEmpty();
        first.descendants().forEach(ProcessHandle::destroyForcibly);
        first.destroyForcibly().waitFor();
        int loggedBefore = lines(log).size();

        Process second = start(args, dir.resolve("second.log"));
        assertThat(second.waitFor()).as(Files.readString(dir.resolve("second.log"))).isZero();
        String output = Files.readString(dir.resolve("second.log"));
        assertThat(output).contains("Continuing the search in " + out).contains("(from the log)");

        // every piece of work logged once: nothing logged before the kill was done again
        Set<String> seen = new HashSet<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : lines(log)) {
            JsonNode e = json.readTree(line);
            String key = e.path("event").asText() + e.path("trial").asText() + "/" + e.path("epochs").asText()
                    + "/" + e.path("seed").asText();
            assertThat(seen.add(key)).as("logged twice: " + line).isTrue();
        }
        assertThat(lines(log).size()).isGreaterThan(loggedBefore);
        // 3 trials at epoch 1, the best 2 at epoch 2, then 1 finalist x 2 seeds
        assertThat(lines(log)).hasSize(3 + 2 + 2);

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

    private static List<String> lines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList() : List.of();
    }
}
