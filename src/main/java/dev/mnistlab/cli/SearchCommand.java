package dev.mnistlab.cli;

import dev.mnistlab.api.Mnistlab;
import dev.mnistlab.search.Search;
import dev.mnistlab.search.SearchSpace;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "search", mixinStandardHelpOptions = true,
        description = {"Search a space of models under a parameter budget by successive halving on a validation "
                + "split held out of the training set; train the finalists over several seeds and report them on the "
                + "test set. The trials live in a study store (study.db in the folder, or --storage): stopped searches continue "
                + "when run again with the same options, and workers on other machines may join."})
final class SearchCommand implements Callable<Integer> {

    @Option(names = "--budget", required = true, paramLabel = "N", description = "At most this many trainable parameters.")
    long budget;

    @Option(names = "--trials", defaultValue = "9", paramLabel = "N", description = "Candidates drawn (default: ${DEFAULT-VALUE}).")
    int trials;

    @Option(names = "--space", paramLabel = "FILE", description = "Search space YAML (default: the built-in space; "
            + "see src/main/resources/search/default-space.yaml).")
    Path space;

    @Option(names = "--eta", defaultValue = "3", description = "Keep 1/eta of the trials at each rung (default: ${DEFAULT-VALUE}).")
    int eta;

    @Option(names = "--min-epochs", defaultValue = "2", paramLabel = "E",
            description = "Epochs of the first rung; later rungs multiply by eta (default: ${DEFAULT-VALUE}).")
    int minEpochs;

    @Option(names = "--finalists", defaultValue = "1", paramLabel = "K",
            description = "Trials trained on the full training set and tested (default: ${DEFAULT-VALUE}).")
    int finalists;

    @Option(names = "--seeds", defaultValue = "3", paramLabel = "N", description = "Seeds per finalist (default: ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--validation", defaultValue = "10000", paramLabel = "N",
            description = "Training images held out for validation (default: ${DEFAULT-VALUE}).")
    int validation;

    @Option(names = "--seed", defaultValue = "1", description = "Seed for drawing the trials (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--parallel", paramLabel = "P", description = "Trainings at once, one thread each (default: one per core).")
    Integer parallel;

    @Option(names = "--out", paramLabel = "DIR", description = "Search folder (default: runs/search-<budget>-seed<seed>).")
    Path out;

    @Option(names = "--limit-train", paramLabel = "N",
            description = "Train every run on the first N training images only (quick checks).")
    Integer limitTrain;

    @Mixin
    DataDirOption dataDir = new DataDirOption();

    @Mixin
    StudyOption study = new StudyOption();

    @Override
    public Integer call() {
        Checks.positive("--budget", budget);
        Checks.positive("--trials", trials);
        Checks.positive("--min-epochs", minEpochs);
        Checks.positive("--finalists", finalists);
        Checks.positive("--seeds", seeds);
        Checks.positive("--validation", validation);
        Checks.positive("--parallel", parallel);
        Checks.positive("--limit-train", limitTrain);
        if (eta < 2) {
            throw new dev.mnistlab.MnistlabException("--eta must be >= 2 (got " + eta + ")");
        }
        SearchSpace searchSpace = space != null ? SearchSpace.file(space) : SearchSpace.defaults();
        Path dir = out != null ? out : Path.of("runs", "search-" + budget + "-seed" + seed);
        int at = parallel != null ? parallel : Runtime.getRuntime().availableProcessors();
        Mnistlab.search(new Search.Settings(budget, trials, seed, eta, minEpochs, Math.min(finalists, trials), seeds, validation),
                searchSpace, dir, limitTrain, dataDir.dir, at, study.options(), System.out);
        return 0;
    }
}
