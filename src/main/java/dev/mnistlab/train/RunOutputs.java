package dev.mnistlab.train;

import ai.djl.nn.Block;
import dev.mnistlab.model.ModelSummary;
import dev.mnistlab.model.ReceptiveField;
import dev.mnistlab.model.ShapeTrace;
import dev.mnistlab.train.schedule.Schedule;
import java.io.DataOutputStream;
import java.util.List;
import java.util.Locale;

/** The files a training run writes into its folder: metrics.csv after every epoch, the rest when it ends. */
final class RunOutputs {

    private final RunFolder folder;

    RunOutputs(RunFolder folder) {
        this.folder = folder;
    }

    /** metrics.csv: every epoch so far, the header naming the split evaluated on. */
    void metrics(List<EpochResult> epochs, String split) {
        StringBuilder csv = new StringBuilder(EpochResult.csvHeader(split)).append('\n');
        epochs.forEach(e -> csv.append(e.csvLine()).append('\n'));
        folder.writeText(RunFolder.METRICS, csv.toString());
    }

    void weights(Block net) {
        folder.write(RunFolder.WEIGHTS, stream -> net.saveParameters(new DataOutputStream(stream)));
    }

    /** lr.csv: the schedule's value for every batch, what the optimizer used, without logging it per step. */
    void lr(Schedule schedule, int stepsPerEpoch, Recipe recipe) {
        StringBuilder sb = new StringBuilder("step,epoch,lr,momentum\n");
        long total = (long) stepsPerEpoch * recipe.epochs();
        for (long step = 0; step < total; step++) {
            sb.append(step).append(',').append(step / stepsPerEpoch + 1).append(',')
                    .append(String.format(Locale.ROOT, "%.8g,%.6g", schedule.lr(step),
                            schedule.momentum(step, recipe.optimizer().momentum()))).append('\n');
        }
        folder.writeText(RunFolder.LR, sb.toString());
    }

    void predictions(Evaluation evaluation) {
        folder.writeText(RunFolder.PREDICTIONS, evaluation.predictionsCsv());
    }

    /** summary.txt: the layer and receptive-field tables, the best and final accuracies, the constraints. */
    void summary(Experiment experiment, ShapeTrace trace, Training.Result result) {
        StringBuilder sb = new StringBuilder();
        sb.append(experiment.name()).append(experiment.description().isEmpty() ? "" : ": " + experiment.description())
                .append("\n\n").append(ModelSummary.layerTable(trace)).append('\n')
                .append(ModelSummary.receptiveFieldTable(ReceptiveField.of(trace))).append('\n');
        EpochResult best = EpochResult.best(result.epochs());
        double bestTrain = result.epochs().stream().mapToDouble(EpochResult::trainAccuracy).max().orElse(0);
        String split = result.finalEvaluation().split();
        sb.append(String.format(Locale.ROOT, "Parameters: %,d%nBest train accuracy: %.2f%%%nBest %s accuracy: %.2f%% (epoch %d)%n"
                + "Final %s accuracy: %.2f%%%n%n", result.params(), bestTrain, split, best.testAccuracy(), best.epoch(),
                split, result.finalEvaluation().accuracy()));
        sb.append("Constraints:\n");
        result.checks().forEach(line -> sb.append("  ").append(line).append('\n'));
        folder.writeText(RunFolder.SUMMARY, sb.toString());
    }
}
