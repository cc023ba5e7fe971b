package dev.mnistlab.model;

import java.util.List;

/** Plain-text tables: torchsummary's layer table and the receptive-field table. */
public final class ModelSummary {

    private static final String RULE = "-".repeat(64);
    private static final String DOUBLE_RULE = "=".repeat(64);

    private ModelSummary() {}

    public static String layerTable(ShapeTrace trace) {
        StringBuilder sb = new StringBuilder();
        sb.append(RULE).append('\n');
        sb.append(String.format("%25s %25s %15s%n", "Layer (type)", "Output Shape", "Param #"));
        sb.append(DOUBLE_RULE).append('\n');
        for (ShapeTrace.Step step : trace.steps()) {
            String name = step.torchName();
            sb.append(String.format("%25s %25s %15s%n", name, step.out().torchString(), thousands(step.params())));
        }
        long total = trace.trainableParameters();
        sb.append(DOUBLE_RULE).append('\n');
        sb.append("Total params: ").append(thousands(total)).append('\n');
        sb.append("Trainable params: ").append(thousands(total)).append('\n');
        sb.append("Non-trainable params: 0\n");
        sb.append(RULE).append('\n');
        return sb.toString();
    }

    public static String receptiveFieldTable(List<ReceptiveField.Row> rows) {
        StringBuilder sb = new StringBuilder();
        String format = "%-18s %5s %5s %6s %7s %6s %7s %8s %6s %6s%n";
        sb.append(String.format(format, "Layer", "n_in", "n_out", "kernel", "padding", "stride",
                "j_in", "j_out", "rf_in", "rf_out"));
        for (ReceptiveField.Row r : rows) {
            sb.append(String.format(format, r.layer(), r.nIn(), r.nOut(), r.kernel(), r.padding(), r.stride(),
                    r.jumpIn(), r.jumpOut(), r.rfIn(), r.rfOut()));
        }
        return sb.toString();
    }

    public static String thousands(long n) {
        return String.format("%,d", n);
    }
}
