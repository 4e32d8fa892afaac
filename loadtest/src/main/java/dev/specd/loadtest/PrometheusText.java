package dev.specd.loadtest;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the Prometheus text exposition format: one {@code series value [timestamp]} per line,
 * {@code #} lines for HELP and TYPE. Enough of the format for a client following counters.
 */
final class PrometheusText {

    private PrometheusText() {}

    /** Every sample, keyed by its series as written ({@code name} or {@code name{labels}}). */
    static Map<String, Double> parse(String text) {
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            // Label values may hold spaces; the series ends at the closing brace when there is one.
            int close = line.lastIndexOf('}');
            int seriesEnd = close >= 0 ? close + 1 : line.indexOf(' ');
            if (seriesEnd <= 0 || seriesEnd >= line.length()) {
                throw new IllegalArgumentException("not a Prometheus sample: " + line);
            }
            String[] rest = line.substring(seriesEnd).strip().split("\\s+");
            samples.put(line.substring(0, seriesEnd), value(rest[0]));
        }
        return samples;
    }

    /** The metric name of a series key: what precedes its labels. */
    static String metricName(String series) {
        int brace = series.indexOf('{');
        return brace < 0 ? series : series.substring(0, brace);
    }

    private static double value(String text) {
        return switch (text) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(text);
        };
    }
}
