package dev.specd.loadtest;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.IChart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's charts, drawn with XChart into PNG bytes. Time series plot the summary's windows
 * (responses binned by when they ended) at their midpoints.
 */
final class Charts {

    /** One chart: its file name in the report directory, a title, what it shows, and the PNG. */
    record Chart(String file, String title, String caption, byte[] png) {}

    private static final int WIDTH = 960;
    private static final int HEIGHT = 480;
    private static final List<String> PERCENTILES = List.of("p50", "p90", "p99");
    private static final BasicStroke DASHED = new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10,
            new float[] {6, 4}, 0);
    private static final BasicStroke DOTTED = new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10,
            new float[] {2, 3}, 0);

    /** Each arm keeps its colour in every chart. */
    private static final Map<Arm, Color> ARM_COLOURS = Map.of(Arm.OFF, new Color(0xD62728), Arm.ORIGINAL,
            new Color(0xFF7F0E), Arm.ADAPTIVE, new Color(0x1F77B4));
    private static final Color SERVER_COLOUR = new Color(0x2CA02C);

    private Charts() {}

    static List<Chart> draw(Summary summary, List<MetricsSnapshot> snapshots)
            throws IOException {
        String window = summary.windows().isEmpty() ? "" : seconds(summary.windows().getFirst().endS());
        return List.of(
                new Chart("acceptance.png", "Acceptance rate over time",
                        "Accepted / drafted tokens of the responses that ended in each " + window
                                + " window, per arm, and the server's own counters between scrapes (all arms). "
                                + "Dashed lines: draft promotions (version changes); dotted: phase changes.",
                        png(acceptance(summary, snapshots))),
                new Chart("throughput.png", "Output tokens/s over time",
                        "Mean decode speed (output tokens per second after the first) of the responses that ended "
                                + "in each " + window + " window, per arm.",
                        png(throughput(summary))),
                new Chart("latency-ttft.png", "Time to first token", "Percentiles per arm, milliseconds.",
                        png(percentiles(summary, "Time to first token (ms)", Summary.ArmSummary::ttftMs))),
                new Chart("latency-itl.png", "Inter-token latency",
                        "Percentiles per arm of each request's time per output token after the first, milliseconds.",
                        png(percentiles(summary, "Inter-token latency (ms)", Summary.ArmSummary::itlMs))),
                new Chart("latency-e2e.png", "End-to-end latency", "Percentiles per arm, milliseconds.",
                        png(percentiles(summary, "End-to-end latency (ms)", Summary.ArmSummary::e2eMs))),
                new Chart("speedup.png", "Speed-up of the adapting draft",
                        "Mean inter-token latency of the other arm over the adapting draft's, per phase and for the "
                                + "whole run; above 1 the adapting draft is faster.",
                        png(speedup(summary))));
    }

    private static XYChart acceptance(Summary summary, List<MetricsSnapshot> snapshots) {
        XYChart chart = xyChart("Acceptance rate over time", "Acceptance rate");
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
        for (Arm arm : List.of(Arm.ORIGINAL, Arm.ADAPTIVE)) {
            line(chart, arm.description(), series(summary, arm, Summary.WindowArm::acceptanceRate), ARM_COLOURS.get(arm));
        }
        List<double[]> server = new ArrayList<>();
        for (int i = 1; i < snapshots.size(); i++) {
            MetricsSnapshot before = snapshots.get(i - 1);
            MetricsSnapshot after = snapshots.get(i);
            double drafted = after.total(ServerMeters.DRAFT_TOKENS) - before.total(ServerMeters.DRAFT_TOKENS);
            double accepted = after.total(ServerMeters.ACCEPTED_TOKENS) - before.total(ServerMeters.ACCEPTED_TOKENS);
            if (drafted > 0) {
                server.add(new double[] {after.atS(), accepted / drafted});
            }
        }
        line(chart, "server counters (all arms)", server, SERVER_COLOUR);
        promotions(chart, summary.server().draftVersions(), 1.0);
        phaseChanges(chart, summary, 1.0);
        return chart;
    }

    private static XYChart throughput(Summary summary) {
        XYChart chart = xyChart("Output tokens/s over time", "Output tokens/s per request");
        chart.getStyler().setYAxisMin(0.0);
        double top = 0;
        for (Arm arm : summary.run().arms()) {
            List<double[]> points = series(summary, arm, Summary.WindowArm::meanDecodeTokensPerSecond);
            top = Math.max(top, points.stream().mapToDouble(point -> point[1]).max().orElse(0));
            line(chart, arm.description(), points, ARM_COLOURS.get(arm));
        }
        promotions(chart, summary.server().draftVersions(), top);
        phaseChanges(chart, summary, top);
        return chart;
    }

    /** (window midpoint, value) for each window where the arm has a value. */
    private static List<double[]> series(Summary summary, Arm arm, Function<Summary.WindowArm, Double> value) {
        List<double[]> points = new ArrayList<>();
        for (Summary.Window window : summary.windows()) {
            window.arms().stream().filter(windowArm -> windowArm.arm() == arm).map(value).filter(Objects::nonNull)
                    .forEach(y -> points.add(new double[] {(window.startS() + window.endS()) / 2, y}));
        }
        return points;
    }

    private static CategoryChart percentiles(Summary summary, String title,
            Function<Summary.ArmSummary, Distribution> measure) {
        CategoryChart chart = categoryChart(title, "milliseconds");
        for (Summary.ArmSummary arm : summary.arms()) {
            Distribution distribution = measure.apply(arm);
            if (distribution.count() > 0) {
                chart.addSeries(arm.description(), PERCENTILES,
                        List.of(distribution.p50(), distribution.p90(), distribution.p99()))
                        .setFillColor(ARM_COLOURS.get(arm.arm()));
            }
        }
        return chart;
    }

    private static CategoryChart speedup(Summary summary) {
        CategoryChart chart = categoryChart("Speed-up of the adapting draft", "speed-up (x)");
        List<String> categories = new ArrayList<>();
        List<Summary.Speedup> speedups = new ArrayList<>();
        for (Summary.PhaseSummary phase : summary.phases()) {
            categories.add("phase " + (phase.index() + 1) + ": " + phase.name());
            speedups.add(phase.speedup());
        }
        categories.add("whole run");
        speedups.add(summary.speedup());
        List<Double> overOff = speedups.stream().map(Summary.Speedup::adaptiveOverOff).toList();
        List<Double> overOriginal = speedups.stream().map(Summary.Speedup::adaptiveOverOriginal).toList();
        if (overOff.stream().anyMatch(Objects::nonNull)) {
            chart.addSeries("over " + Arm.OFF.description(), categories, overOff).setFillColor(ARM_COLOURS.get(Arm.OFF));
        }
        if (overOriginal.stream().anyMatch(Objects::nonNull)) {
            chart.addSeries("over " + Arm.ORIGINAL.description(), categories, overOriginal)
                    .setFillColor(ARM_COLOURS.get(Arm.ORIGINAL));
        }
        return chart;
    }

    /** A vertical dashed line at each promotion: each version after the first, where first seen. */
    private static void promotions(XYChart chart, List<Summary.VersionChange> changes, double top) {
        Map<String, Double> firstSeen = new LinkedHashMap<>();
        changes.forEach(change -> firstSeen.putIfAbsent(change.version(), change.atS()));
        firstSeen.entrySet().stream().skip(1).forEach(entry ->
                marker(chart, "draft " + entry.getKey(), entry.getValue(), top, DASHED, Color.DARK_GRAY));
    }

    private static void phaseChanges(XYChart chart, Summary summary, double top) {
        summary.phases().stream().skip(1).filter(phase -> phase.startS() != null).forEach(phase ->
                marker(chart, "phase " + (phase.index() + 1) + ": " + phase.name(), phase.startS(), top, DOTTED,
                        Color.GRAY));
    }

    private static void marker(XYChart chart, String name, double x, double top, BasicStroke stroke, Color color) {
        if (top <= 0 || chart.getSeries(name) != null) {
            return;
        }
        XYSeries series = chart.addSeries(name, new double[] {x, x}, new double[] {0, top});
        series.setMarker(SeriesMarkers.NONE);
        series.setLineStyle(stroke);
        series.setLineColor(color);
    }

    private static void line(XYChart chart, String name, List<double[]> points, Color colour) {
        if (points.isEmpty()) {
            return;
        }
        XYSeries series = chart.addSeries(name, points.stream().mapToDouble(point -> point[0]).toArray(),
                points.stream().mapToDouble(point -> point[1]).toArray());
        series.setMarker(SeriesMarkers.CIRCLE);
        series.setLineColor(colour);
        series.setMarkerColor(colour);
    }

    private static XYChart xyChart(String title, String yAxis) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("seconds since start").yAxisTitle(yAxis).build();
        style(chart.getStyler());
        return chart;
    }

    private static CategoryChart categoryChart(String title, String yAxis) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).yAxisTitle(yAxis)
                .build();
        style(chart.getStyler());
        return chart;
    }

    private static void style(Styler styler) {
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        styler.setChartBackgroundColor(Color.WHITE);
    }

    private static byte[] png(IChart chart) throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(BitmapEncoder.getBufferedImage(chart), "png", png);
        return png.toByteArray();
    }

    private static String seconds(double window) {
        return String.format(Locale.ROOT, "%.3g s", window);
    }
}
