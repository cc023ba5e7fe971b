package dev.mnistlab.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistlab.MnistlabException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a write-up reported for one of its steps ({@code reported: {params: 8442, train: 98.96, test: 98.9,
 * epochs: 15}} in a journey), shown in the journal beside our run of the same idea. Every field may be
 * absent (null) when the write-up does not give it; accuracies are percentages.
 */
public record Reported(Integer params, Double train, Double test, Integer epochs) {

    private static final Set<String> KEYS = Set.of("params", "train", "test", "epochs");

    static Reported parse(JsonNode node, String where) {
        if (!node.isObject() || node.isEmpty()) {
            throw new MnistlabException(where + ": reported is a map of what the write-up reported, e.g. "
                    + "{params: 8442, train: 98.96, test: 98.9}");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                throw new MnistlabException(where + ": unknown key '" + key + "'; expected epochs, params, test, train");
            }
        }
        return new Reported(count(node, "params", where), percent(node, "train", where), percent(node, "test", where),
                count(node, "epochs", where));
    }

    /** One cell: e.g. "8,442 params, train 98.96%, test 98.90%". */
    String describe() {
        List<String> parts = new ArrayList<>();
        if (params != null) {
            parts.add(String.format(Locale.ROOT, "%,d params", params));
        }
        if (epochs != null) {
            parts.add(epochs + " epochs");
        }
        if (train != null) {
            parts.add(String.format(Locale.ROOT, "train %.2f%%", train));
        }
        if (test != null) {
            parts.add(String.format(Locale.ROOT, "test %.2f%%", test));
        }
        return String.join(", ", parts);
    }

    /** How our run differs from the write-up's: params and best test accuracy (the write-ups report their best). */
    String versus(RunData run, double ourBestTest) {
        List<String> parts = new ArrayList<>();
        if (params != null) {
            parts.add(String.format(Locale.ROOT, "params %+,d", run.params() - params));
        }
        if (test != null) {
            parts.add(String.format(Locale.ROOT, "best test %+.2f pp", ourBestTest - test));
        }
        return parts.isEmpty() ? "" : "vs the write-up: " + String.join(", ", parts);
    }

    private static Integer count(JsonNode node, String key, String where) {
        JsonNode v = node.get(key);
        if (v == null) {
            return null;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() <= 0) {
            throw new MnistlabException(where + ": reported " + key + " must be a whole number above 0, got '" + v.asText() + "'");
        }
        return v.asInt();
    }

    private static Double percent(JsonNode node, String key, String where) {
        JsonNode v = node.get(key);
        if (v == null) {
            return null;
        }
        if (!v.isNumber() || v.asDouble() < 0 || v.asDouble() > 100) {
            throw new MnistlabException(where + ": reported " + key + " is an accuracy in percent (0-100), got '" + v.asText() + "'");
        }
        return v.asDouble();
    }
}
