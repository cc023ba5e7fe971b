package dev.mnistlab.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistlab.YamlFiles;
import dev.mnistlab.train.EpochResult;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The facts the tool can state about a run, alone and against the run before it. */
final class Analysis {

    /**
     * Train accuracy this far above test at the end reads as over-fitting: on MNIST a model that
     * generalises keeps the two within about half a point, while memorising pushes train towards 100%.
     */
    static final double OVERFIT_GAP = 0.5;

    private Analysis() {}

    static List<String> facts(RunData run, RunData previous, String previousLabel) {
        List<String> facts = new ArrayList<>();
        facts.add(fit(run.epochs()));
        facts.add(target(run.epochs(), run.experiment().recipe().constraints().targetAccuracy()));
        if (previous != null) {
            facts.add(versus(run, previous, previousLabel));
            String changes = changes(previous, run);
            if (!changes.isEmpty()) {
                facts.add("changed: " + changes);
            }
        }
        return facts;
    }

    static String fit(List<EpochResult> epochs) {
        EpochResult last = epochs.get(epochs.size() - 1);
        double gap = last.trainAccuracy() - last.testAccuracy();
        String verdict = gap > OVERFIT_GAP ? "over-fits" : gap < 0 ? "under-fits (test above train)" : "fits (small gap)";
        return String.format(Locale.ROOT, "train-test gap %+.2f pp at the end: %s", gap, verdict);
    }

    static String target(List<EpochResult> epochs, double target) {
        int first = -1;
        int holdsFrom = -1;
        for (EpochResult e : epochs) {
            boolean hit = e.testAccuracy() >= target - 1e-9;
            if (hit && first < 0) {
                first = e.epoch();
            }
            holdsFrom = hit ? (holdsFrom < 0 ? e.epoch() : holdsFrom) : -1;
        }
        if (first < 0) {
            double best = EpochResult.best(epochs).testAccuracy();
            return String.format(Locale.ROOT, "never reaches %s (best %.2f%%, %.2f pp short)",
                    Charts.percent(target), best, target - best);
        }
        if (holdsFrom == first) {
            return String.format(Locale.ROOT, "reaches %s at epoch %d and holds it to the end", Charts.percent(target), first);
        }
        String holds = holdsFrom > 0 ? String.format(Locale.ROOT, ", holds it from epoch %d on", holdsFrom) : ", does not hold it to the end";
        return String.format(Locale.ROOT, "first reaches %s at epoch %d%s", Charts.percent(target), first, holds);
    }

    private static String versus(RunData run, RunData previous, String label) {
        double best = EpochResult.best(run.epochs()).testAccuracy() - EpochResult.best(previous.epochs()).testAccuracy();
        double lastMin = lastMin(run) - lastMin(previous);
        return String.format(Locale.ROOT, "vs %s: params %+,d, best test %+.2f pp, worst of last %d %+.2f pp",
                label, run.params() - previous.params(), best, lastEpochs(run), lastMin);
    }

    static int lastEpochs(RunData run) {
        return run.experiment().recipe().constraints().lastEpochs();
    }

    private static double lastMin(RunData run) {
        return Runs.last(run.epochs(), lastEpochs(run)).stream().mapToDouble(EpochResult::testAccuracy).min().orElseThrow();
    }

    /** What differs between two runs' experiments: "model", then recipe settings old -> new, grouped by block. */
    static String changes(RunData before, RunData after) {
        List<String> changes = new ArrayList<>();
        if (!before.experiment().spec().source().equals(after.experiment().spec().source())) {
            changes.add("model");
        }
        Map<String, String> a = flatten(YamlFiles.MAPPER.valueToTree(before.experiment().recipe()));
        Map<String, String> b = flatten(YamlFiles.MAPPER.valueToTree(after.experiment().recipe()));
        Map<String, List<String>> byBlock = new LinkedHashMap<>();
        for (String key : b.keySet()) {
            String old = a.getOrDefault(key, "-");
            if (!b.get(key).equals(old)) {
                int dot = key.indexOf('.');
                String block = dot < 0 ? "" : key.substring(0, dot);
                byBlock.computeIfAbsent(block, k -> new ArrayList<>()).add(key.substring(dot + 1) + " " + old + " -> " + b.get(key));
            }
        }
        byBlock.forEach((block, list) -> changes.add(block.isEmpty() ? String.join(", ", list)
                : block + " (" + String.join(", ", list) + ")"));
        return String.join("; ", changes);
    }

    private static Map<String, String> flatten(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        flatten("", node, out);
        return out;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
            }
        } else {
            out.put(prefix, node.isNull() ? "-" : node.isValueNode() ? node.asText() : node.toString());
        }
    }
}
