package dev.mnistlab.cli;

import dev.mnistlab.api.Mnistlab;
import dev.mnistlab.api.Run;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Compare finished runs: the journal table (params, best train/test, last epochs, constraints, "
                + "analysis) and their test-accuracy curves in one chart, as comparison.md/.html/-accuracy.png.")
final class CompareCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "RUN_DIR", description = "Run folders, in the order to compare them.")
    List<Path> runs;

    @Option(names = "--out", paramLabel = "DIR", description = "Where to write the comparison (default runs/<time>-compare).")
    Path out;

    @Override
    public Integer call() {
        System.out.print(Mnistlab.compare(runs.stream().map(Run::open).toList(), out));
        System.out.println("Written to comparison.html (and comparison.md, comparison-accuracy.png) in "
                + (out != null ? out : "runs/<time>-compare"));
        return 0;
    }
}
