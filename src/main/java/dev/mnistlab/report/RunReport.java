package dev.mnistlab.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mnistlab.YamlFiles;
import dev.mnistlab.model.ModelSummary;
import dev.mnistlab.model.ReceptiveField;
import dev.mnistlab.model.ShapeTrace;
import dev.mnistlab.train.EpochResult;
import dev.mnistlab.train.Experiment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The content of one run's report, in the order a reader asks: did it pass, how did it learn, what was it. */
final class RunReport {

    private RunReport() {}

    static String build(RunData run, List<Plot> plots, List<String> notes, Doc doc) {
        Experiment exp = run.experiment();
        double target = exp.recipe().constraints().targetAccuracy();
        doc.title("mnistlab report: " + exp.name());
        if (!exp.description().isEmpty()) {
            doc.paragraph(exp.description());
        }
        doc.bullets(facts(run));
        notes.forEach(note -> doc.paragraph("**Note:** " + note));
        doc.heading("Constraints");
        doc.checks(run.checks().stream().map(Object::toString).toList());
        doc.heading("Plots");
        plots.forEach(p -> doc.image(p.file(), p.png(), p.alt()));
        doc.heading("Per-epoch results");
        doc.paragraph(String.format(Locale.ROOT, "Accuracies in %%; test accuracies at or above the target %s in bold.",
                Charts.percent(target)));
        doc.table(List.of("epoch", "lr", "train loss", "train acc", "test loss", "test acc", "seconds"),
                run.epochs().stream().map(e -> epochRow(e, target)).toList());
        ShapeTrace trace = exp.spec().trace();
        doc.heading("Model");
        doc.table(List.of("Layer (type)", "Output shape", "Param #"), trace.steps().stream()
                .map(s -> List.of(s.torchName(), s.out().torchString(),
                        ModelSummary.thousands(s.params()))).toList());
        doc.paragraph("Trainable parameters: **" + ModelSummary.thousands(trace.trainableParameters()) + "**");
        doc.heading("Receptive field");
        doc.table(List.of("Layer", "n_in", "n_out", "kernel", "padding", "stride", "j_in", "j_out", "rf_in", "rf_out"),
                ReceptiveField.of(trace).stream().map(RunReport::rfRow).toList());
        doc.heading("Recipe");
        doc.preformatted(YamlFiles.write(withoutNulls(YamlFiles.MAPPER.valueToTree(exp.recipe()))));
        return doc.render();
    }

    private static List<String> facts(RunData run) {
        EpochResult best = EpochResult.best(run.epochs());
        EpochResult last = run.epochs().get(run.epochs().size() - 1);
        List<String> facts = new ArrayList<>();
        facts.add("Run folder: `" + run.dir().toAbsolutePath().normalize() + "`");
        facts.add(String.format(Locale.ROOT, "Trainable parameters: **%,d**; epochs: %d", run.params(), run.epochs().size()));
        facts.add(String.format(Locale.ROOT, "Best test accuracy **%.2f%%** (epoch %d); final %.2f%%; best train %.2f%%",
                best.testAccuracy(), best.epoch(), last.testAccuracy(), Runs.bestTrain(run.epochs())));
        List<String> meta = new ArrayList<>();
        for (String key : List.of("status", "seed", "threads", "train_limit", "validation", "data_dir", "engine", "djl", "started", "finished")) {
            String value = run.info(key);
            if (value != null) {
                meta.add(key + " " + value);
            }
        }
        if (!meta.isEmpty()) {
            facts.add("Run: " + String.join("; ", meta));
        }
        return facts;
    }

    /** Unset settings (a step schedule's max_lr, say) are noise in a recipe meant for reading. */
    static JsonNode withoutNulls(JsonNode node) {
        if (node instanceof ObjectNode object) {
            object.properties().removeIf(e -> e.getValue().isNull());
            object.forEach(RunReport::withoutNulls);
        }
        return node;
    }

    private static List<String> epochRow(EpochResult e, double target) {
        String test = String.format(Locale.ROOT, "%.2f", e.testAccuracy());
        return List.of(String.valueOf(e.epoch()), Runs.number(e.lr()),
                String.format(Locale.ROOT, "%.4f", e.trainLoss()), String.format(Locale.ROOT, "%.2f", e.trainAccuracy()),
                String.format(Locale.ROOT, "%.4f", e.testLoss()),
                e.testAccuracy() >= target - 1e-9 ? "**" + test + "**" : test,
                String.format(Locale.ROOT, "%.1f", e.seconds()));
    }

    private static List<String> rfRow(ReceptiveField.Row r) {
        return List.of(r.layer(), String.valueOf(r.nIn()), String.valueOf(r.nOut()), String.valueOf(r.kernel()),
                String.valueOf(r.padding()), String.valueOf(r.stride()), String.valueOf(r.jumpIn()),
                String.valueOf(r.jumpOut()), String.valueOf(r.rfIn()), String.valueOf(r.rfOut()));
    }
}
