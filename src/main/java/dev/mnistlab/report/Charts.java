package dev.mnistlab.report;

import dev.mnistlab.train.EpochResult;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The report's plots, drawn by XChart and returned as PNG bytes. */
public final class Charts {

    static final int WIDTH = 640;
    static final int HEIGHT = 400;
    private static final Color TARGET = new Color(200, 40, 40);
    // one colour per split in every plot, so train and test read the same everywhere
    private static final Color TRAIN = new Color(66, 110, 220);
    private static final Color TEST = new Color(235, 140, 20);

    private Charts() {}

    /** Train and test accuracy on a full axis, beside test accuracy alone on an axis zoomed around the target. */
    public static byte[] accuracy(List<EpochResult> epochs, double target) {
        XYChart all = xy("Accuracy", "epoch", "accuracy (%)");
        colour(line(all, "train", epochs, EpochResult::trainAccuracy), TRAIN);
        colour(line(all, "test", epochs, EpochResult::testAccuracy), TEST);
        all.getStyler().setYAxisMax(100.0);
        double[] range = zoomRange(epochs, target);
        boolean near = epochs.stream().anyMatch(e -> e.testAccuracy() >= range[0]);
        XYChart zoom = xy(near ? "Test accuracy (zoomed)" : "Test accuracy (zoomed): no epoch within 2 points of the target",
                "epoch", "test accuracy (%)");
        colour(line(zoom, "test", epochs, EpochResult::testAccuracy), TEST);
        targetLine(zoom, "target " + percent(target), epochs.size(), target);
        zoom.getStyler().setYAxisMin(range[0]).setYAxisMax(range[1]).setYAxisDecimalPattern("0.00");
        return png(List.of(all, zoom), 1, 2);
    }

    /**
     * From just below the target (or the worst late epoch, if lower) to just above the best epoch, so
     * 99.3 and 99.5 are far apart; the first epochs, far below, leave the plot through its bottom.
     */
    static double[] zoomRange(List<EpochResult> epochs, double target) {
        List<EpochResult> late = epochs.subList(epochs.size() / 2, epochs.size());
        double low = Math.min(target - 0.3, late.stream().mapToDouble(EpochResult::testAccuracy).min().orElse(target));
        double high = Math.max(target + 0.2, epochs.stream().mapToDouble(EpochResult::testAccuracy).max().orElse(target));
        // a tenth of a point of margin, on a tenth-point grid (the epsilon keeps 99.6 * 10 from rounding up to 997)
        low = Math.max((Math.floor(low * 10 + 1e-6) - 1) / 10, target - 2);
        high = Math.min((Math.ceil(high * 10 - 1e-6) + 1) / 10, 100);
        return new double[] {low, high};
    }

    public static byte[] loss(List<EpochResult> epochs) {
        XYChart chart = xy("Loss", "epoch", "cross-entropy loss");
        colour(line(chart, "train", epochs, EpochResult::trainLoss), TRAIN);
        colour(line(chart, "test", epochs, EpochResult::testLoss), TEST);
        return png(List.of(chart), 1, 1);
    }

    /**
     * lr per batch against epochs (epoch e spans e-1..e); a log axis once the lr spans a factor of 10,
     * so the last StepLR stages do not flatten into zero. Momentum goes on a second axis when it cycles.
     */
    public static byte[] learningRate(List<RunData.LrRow> rows) {
        XYChart chart = xy("Learning rate per batch", "epoch", "learning rate");
        long perEpoch = Math.max(1, rows.stream().filter(r -> r.epoch() == rows.get(0).epoch()).count());
        double[] x = rows.stream().mapToDouble(r -> (double) r.step() / perEpoch).toArray();
        double[] lr = rows.stream().mapToDouble(RunData.LrRow::lr).toArray();
        series(chart, "lr", x, lr);
        double max = Arrays.stream(lr).max().orElse(1);
        double min = Arrays.stream(lr).min().orElse(1);
        chart.getStyler().setYAxisLogarithmic(min > 0 && max / min >= 10).setYAxisDecimalPattern("0.#####")
                .setXAxisMin(0.0).setXAxisMax(Math.ceil(x[x.length - 1])).setXAxisDecimalPattern("0").setLegendVisible(false);
        if (rows.stream().mapToDouble(RunData.LrRow::momentum).distinct().count() > 1) {
            series(chart, "momentum (right axis)", x, rows.stream().mapToDouble(RunData.LrRow::momentum).toArray())
                    .setYAxisGroup(1);
            chart.setYAxisGroupTitle(1, "momentum");
            chart.getStyler().setLegendVisible(true);
        }
        return png(List.of(chart), 1, 1);
    }

    /** Without lr.csv: the lr each epoch started with, from metrics.csv. */
    public static byte[] learningRatePerEpoch(List<EpochResult> epochs) {
        XYChart chart = xy("Learning rate per epoch (lr.csv missing)", "epoch", "learning rate");
        line(chart, "lr", epochs, EpochResult::lr).setMarker(SeriesMarkers.CIRCLE);
        return png(List.of(chart), 1, 1);
    }

    /**
     * Rows are true labels (0 at the top), columns predictions, cells print their counts. The colour
     * scale tops out at twice the largest mistake count, so the few mistakes off the diagonal show in
     * shades next to a thousand hits (which all get the top colour) instead of vanishing into white.
     */
    public static byte[] confusion(int[][] counts) {
        HeatMapChart chart = new HeatMapChartBuilder().width(560).height(520).title("Confusion matrix (test set)")
                .xAxisTitle("predicted").yAxisTitle("true").build();
        int n = counts.length;
        List<Integer> classes = new ArrayList<>();
        List<Integer> rowsTopDown = new ArrayList<>();
        int worstMistake = 1;
        List<Number[]> cells = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            classes.add(t);
            rowsTopDown.add(n - 1 - t);
            for (int p = 0; p < n; p++) {
                // y indexes the bottom row first, so true label t sits at row n - 1 - t
                cells.add(new Number[] {p, n - 1 - t, counts[t][p]});
                worstMistake = t == p ? worstMistake : Math.max(worstMistake, counts[t][p]);
            }
        }
        chart.addSeries("counts", classes, rowsTopDown, cells);
        chart.getStyler().setShowValue(true).setHeatMapValueDecimalPattern("0").setMin(0).setMax(2.0 * worstMistake)
                .setRangeColors(new Color[] {Color.WHITE, new Color(255, 237, 160), new Color(253, 141, 60)})
                .setValueFontColor(Color.BLACK).setLegendVisible(false);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesVisible(false);
        return png(List.of(chart), 1, 1);
    }

    /** Test accuracy per epoch of several runs in one chart, zoomed as the run plot is. */
    public static byte[] overlay(List<String> names, List<List<EpochResult>> runs, double target) {
        XYChart chart = xy("Test accuracy per epoch", "epoch", "test accuracy (%)");
        List<EpochResult> all = new ArrayList<>();
        int longest = 1;
        for (int i = 0; i < names.size(); i++) {
            line(chart, names.get(i), runs.get(i), EpochResult::testAccuracy).setMarker(SeriesMarkers.CIRCLE);
            all.addAll(runs.get(i));
            longest = Math.max(longest, runs.get(i).size());
        }
        targetLine(chart, "target " + percent(target), longest, target);
        // below the plot, where it cannot hide the late epochs that the comparison is about
        chart.getStyler().setLegendPosition(LegendPosition.OutsideS);
        double[] range = zoomRange(all, target);
        chart.getStyler().setYAxisMin(Math.min(range[0], target - 1)).setYAxisMax(range[1]).setYAxisDecimalPattern("0.0");
        return png(List.of(chart), 1, 1);
    }

    private static XYChart xy(String title, String x, String y) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(x).yAxisTitle(y).build();
        chart.getStyler().setLegendPosition(LegendPosition.InsideSE).setChartBackgroundColor(Color.WHITE)
                .setMarkerSize(5);
        return chart;
    }

    private static XYSeries line(XYChart chart, String name, List<EpochResult> epochs, ToDoubleFunction<EpochResult> y) {
        XYSeries series = series(chart, name, epochs.stream().mapToDouble(EpochResult::epoch).toArray(),
                epochs.stream().mapToDouble(y).toArray());
        series.setMarker(SeriesMarkers.CIRCLE);
        return series;
    }

    private static XYSeries series(XYChart chart, String name, double[] x, double[] y) {
        XYSeries series = chart.addSeries(name, x, y);
        series.setMarker(SeriesMarkers.NONE);
        return series;
    }

    private static void colour(XYSeries series, Color colour) {
        series.setLineColor(colour);
        series.setMarkerColor(colour);
    }

    private static void targetLine(XYChart chart, String name, int epochs, double target) {
        series(chart, name, new double[] {1, Math.max(epochs, 2)}, new double[] {target, target})
                .setLineStyle(SeriesLines.DASH_DASH).setLineColor(TARGET);
    }

    static String percent(double value) {
        return String.format(Locale.ROOT, "%.2f%%", value);
    }

    private static byte[] png(List<? extends Chart<?, ?>> charts, int rows, int cols) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (charts.size() == 1) {
                BitmapEncoder.saveBitmap(charts.get(0), out, BitmapFormat.PNG);
            } else {
                BitmapEncoder.saveBitmap(charts, rows, cols, out, BitmapFormat.PNG);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
