package dev.mnistlab.search;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mnistlab.train.ConstraintCheck;
import dev.mnistlab.train.EpochResult;
import dev.mnistlab.train.Recipe;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class SeedSweepTest {

    private static EpochResult epoch(int n, double acc) {
        return new EpochResult(n, 0.01, 0.02, 99, 0.02, acc, 1);
    }

    @Test
    void tableShowsPerSeedAndOverallSpreadOfTheLastEpochs() {
        Recipe.Constraints c = Recipe.Constraints.defaults();
        List<EpochResult> good = List.of(epoch(1, 98.0), epoch(2, 99.41), epoch(3, 99.45), epoch(4, 99.50));
        List<EpochResult> weak = List.of(epoch(1, 98.0), epoch(2, 99.30), epoch(3, 99.45), epoch(4, 99.42));
        List<SeedSweep.SeedResult> results = List.of(
                new SeedSweep.SeedResult(1, Path.of("a"), 0, good, ConstraintCheck.check(7000, good, c), false),
                new SeedSweep.SeedResult(2, Path.of("b"), 0, weak, ConstraintCheck.check(7000, weak, c), true),
                new SeedSweep.SeedResult(3, Path.of("c"), 2, List.of(), List.of(), false));
        String table = SeedSweep.table(results, 3, 42.4, 2);
        assertThat(table).contains("1          99.41   99.45   99.50  PASS")
                .contains("2          99.30   99.39   99.45  FAIL")
                .contains("3              -       -       -  FAIL (no result)")
                .contains("all        99.30   99.42   99.50  1 of 3 seeds pass")
                .contains("Total wall time: 42 s for 2 seeds, 2 at a time (1 seed reused)");
        assertThat(SeedSweep.table(List.of(results.get(1)), 3, 1, 2))
                .contains("All 1 seed reused from earlier runs (nothing trained now)");
    }
}
