package dev.mnistlab.search;

import dev.mnistlab.YamlFiles;
import dev.mnistlab.train.EpochResult;
import dev.mnistlab.train.Experiment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * How a study moves from stage to stage, decided by whoever finishes a stage's last trial (in the same transaction,
 * so exactly once). A search's stages are its rungs, where the best 1/eta of the trials go on, then its finals: the
 * finalists over several seeds on the whole training set. A seed sweep is one rung and no finals.
 *
 * @param rungs     the epochs each rung trains to, the last being the recipe's epochs
 * @param eta       1/eta of the trials go on after each rung
 * @param finalists trials trained again over {@code seeds} seeds after the last rung (0: none)
 */
public record StudyPlan(List<Integer> rungs, int eta, int finalists, int seeds) {

    /** A sweep: every trial trains once to {@code epochs}, nothing follows. */
    public static StudyPlan sweep(int epochs) {
        return new StudyPlan(List.of(epochs), 2, 0, 0);
    }

    static StudyPlan parse(String yaml) {
        return YamlFiles.bind(YamlFiles.parse(yaml, "study plan"), StudyPlan.class, "study plan");
    }

    String yaml() {
        return YamlFiles.write(this);
    }

    /** The stage of the finals, after the rungs. */
    int finalStage() {
        return rungs.size();
    }

    /** How many trials rung {@code rung} trains, of {@code candidates} drawn. */
    int keep(int rung, int candidates) {
        return rung == 0 ? candidates : Math.max(finalists, (int) Math.ceil(candidates / Math.pow(eta, rung)));
    }

    /**
     * What follows a finished stage: trials promoted to the next rung (queued again, resuming from their checkpoints),
     * new trials (the finals), or the study's end.
     */
    record Next(List<Integer> promoted, int targetEpochs, List<StudyStore.NewTrial> created, boolean finished) {}

    /** What follows {@code stage} now that none of its trials is queued or running. */
    Next after(int stage, List<StudyStore.Trial> trials, Map<Integer, List<EpochResult>> epochs) {
        if (stage >= finalStage()) {
            return new Next(List.of(), 0, List.of(), true);
        }
        List<StudyStore.Trial> ranked = trials.stream().filter(t -> t.candidate() == null && t.stage() == stage)
                .sorted(byScore(stage, epochs)).toList();
        int candidates = (int) trials.stream().filter(t -> t.candidate() == null).count();
        if (stage + 1 < finalStage()) {
            List<Integer> promoted = ranked.stream().limit(keep(stage + 1, candidates)).map(StudyStore.Trial::id).toList();
            return new Next(promoted, rungs.get(stage + 1), List.of(), false);
        }
        List<StudyStore.NewTrial> finals = new ArrayList<>();
        for (StudyStore.Trial finalist : ranked.subList(0, Math.min(finalists, ranked.size()))) {
            Experiment experiment = finalist.toExperiment();
            String folder = finalist.folder().substring(finalist.folder().lastIndexOf('/') + 1);
            for (long seed = 1; seed <= seeds; seed++) {
                Experiment seeded = experiment.withRecipe(experiment.recipe().withSeed(seed));
                finals.add(new StudyStore.NewTrial(finalist.name() + "-seed-" + seed, "final/" + folder + "-seed-" + seed,
                        finalist.id(), YamlFiles.write(seeded), finalist.params(), null, finalist.limitTrain(),
                        seeded.recipe().epochs()));
            }
        }
        return new Next(List.of(), 0, finals, finals.isEmpty());
    }

    /**
     * A trial's validation score at a rung it finished: the mean over its recipe's last epochs
     * ({@link Search#score}); minus infinity when it failed there, null when it has not got there.
     */
    Double score(StudyStore.Trial trial, int rung, List<EpochResult> epochs) {
        boolean finished = trial.stage() > rung || trial.stage() == rung && trial.state().equals(StudyStore.DONE);
        if (trial.stage() == rung && trial.state().equals(StudyStore.FAILED)) {
            return Double.NEGATIVE_INFINITY;
        }
        int reached = rungs.get(rung);
        if (!finished || epochs == null || epochs.size() < reached) {
            return finished ? Double.NEGATIVE_INFINITY : null;
        }
        return Search.score(epochs, reached, trial.toExperiment().recipe().constraints().lastEpochs());
    }

    /** Best score first, then fewer parameters, then the lower id: the order in which trials go on. */
    Comparator<StudyStore.Trial> byScore(int rung, Map<Integer, List<EpochResult>> epochs) {
        Comparator<StudyStore.Trial> score = Comparator.comparingDouble(t -> {
            Double s = score(t, rung, epochs.get(t.id()));
            return s == null ? Double.POSITIVE_INFINITY : -s;
        });
        return score.thenComparingLong(StudyStore.Trial::params).thenComparingInt(StudyStore.Trial::id);
    }
}
