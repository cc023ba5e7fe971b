package dev.mnistlab.search;

import dev.mnistlab.MnistlabException;
import dev.mnistlab.train.EpochResult;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code study status}: every trial of a study with its state, rung, worker, epochs and scores. */
public final class StudyStatus {

    private StudyStatus() {}

    /** The table for {@code study}, or for every study in the store when null. */
    public static String table(StudyStore store, String study) {
        List<StudyStore.Study> studies = study == null ? store.studies()
                : store.study(study) == null ? List.of() : List.of(store.study(study));
        if (studies.isEmpty()) {
            throw new MnistlabException(study == null ? "the " + store.where() + " holds no study yet"
                    : "the " + store.where() + " holds no study '" + study + "'");
        }
        StringBuilder sb = new StringBuilder();
        for (StudyStore.Study s : studies) {
            table(sb, store, s);
        }
        return sb.toString();
    }

    private static void table(StringBuilder sb, StudyStore store, StudyStore.Study study) {
        StudyPlan plan = study.plan();
        List<StudyStore.Trial> trials = store.trials(study.name());
        Map<Integer, List<EpochResult>> epochs = store.epochs(study.name());
        long done = trials.stream().filter(t -> t.state().equals(StudyStore.DONE)).count();
        sb.append(String.format(Locale.ROOT, "Study %s (%s): %s; %d of %d trials done%n", study.name(), study.kind(),
                study.finished() ? "finished" : study.stage() < plan.finalStage()
                        ? "rung " + (study.stage() + 1) + " of " + plan.rungs().size() : "finals", done, trials.size()));
        sb.append(String.format(Locale.ROOT, "%-16s %-8s %-6s %-28s %7s %10s %8s%n", "trial", "state", "rung", "worker",
                "epochs", "validation", "test"));
        for (StudyStore.Trial t : trials) {
            List<EpochResult> e = epochs.getOrDefault(t.id(), List.of());
            String rung = t.candidate() != null ? "final" : plan.finalStage() == 1 && plan.finalists() == 0 ? "-"
                    : (t.stage() + 1) + "/" + plan.rungs().size();
            String validation = "-";
            String test = "-";
            int last = t.toExperiment().recipe().constraints().lastEpochs();
            if (t.validation() != null) {
                for (int r = Math.min(t.stage(), plan.rungs().size() - 1); r >= 0 && validation.equals("-"); r--) {
                    Double score = plan.score(t, r, e);
                    validation = score == null ? "-" : score.isInfinite() ? "failed" : String.format(Locale.ROOT, "%.2f", score);
                }
            } else if (!e.isEmpty()) {
                test = String.format(Locale.ROOT, "%.2f", Search.score(e, e.size(), last));
            }
            sb.append(String.format(Locale.ROOT, "%-16s %-8s %-6s %-28s %3d/%-3d %10s %8s%n", t.name(), t.state(), rung,
                    t.worker() == null ? "-" : t.worker(), t.epochsDone(), t.targetEpochs(), validation, test));
            if (t.message() != null) {
                sb.append("    ").append(t.message()).append('\n');
            }
        }
        sb.append(String.format(Locale.ROOT, "(validation: mean accuracy over the last epochs of the last rung reached; "
                + "test: mean over the last epochs trained)%n%n"));
    }
}
