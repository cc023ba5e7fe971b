package dev.mnistlab.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The receptive-field arithmetic of the write-ups, one row per layer that changes the grid:
 * n_out = floor((n_in + 2p - k) / s) + 1, j_out = j_in * s, rf_out = rf_in + (k - 1) * j_in.
 */
public final class ReceptiveField {

    /** One row of the table. */
    public record Row(String layer, int nIn, int nOut, int kernel, int padding, int stride,
                      int jumpIn, int jumpOut, int rfIn, int rfOut) {}

    private ReceptiveField() {}

    public static List<Row> of(ShapeTrace trace) {
        List<Row> rows = new ArrayList<>();
        int jump = 1;
        int rf = 1;
        for (ShapeTrace.Step step : trace.steps()) {
            Layer layer = step.layer();
            if (!layer.kind().isSpatial()) {
                continue;
            }
            // a global pool is a window as large as the map it sees
            int kernel = layer.kind() == Layer.Kind.GAP ? step.in().height() : layer.kernel();
            int stride = layer.kind() == Layer.Kind.GAP ? 1 : layer.stride();
            int rfOut = rf + (kernel - 1) * jump;
            int jumpOut = jump * stride;
            rows.add(new Row(layer.kind().torchName() + "-" + step.index(), step.in().height(), step.out().height(),
                    kernel, layer.padding(), stride, jump, jumpOut, rf, rfOut));
            jump = jumpOut;
            rf = rfOut;
        }
        return rows;
    }
}
