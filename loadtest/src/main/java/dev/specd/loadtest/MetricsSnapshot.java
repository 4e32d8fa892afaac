package dev.specd.loadtest;

import java.util.Map;
import java.util.OptionalDouble;

/**
 * One scrape of {@code /metrics}: its time in seconds from the start of the run, and every sample
 * keyed by its series ({@code name} or {@code name{labels}}).
 */
public record MetricsSnapshot(double atS, Map<String, Double> samples) {

    public MetricsSnapshot {
        samples = Map.copyOf(samples);
    }

    /** The sum of a metric over all its label sets; 0 when absent (a counter not yet created). */
    public double total(String name) {
        double sum = 0;
        for (Map.Entry<String, Double> sample : samples.entrySet()) {
            if (PrometheusText.metricName(sample.getKey()).equals(name)) {
                sum += sample.getValue();
            }
        }
        return sum;
    }

    /** An unlabelled sample, empty when absent. */
    public OptionalDouble value(String name) {
        Double value = samples.get(name);
        return value == null ? OptionalDouble.empty() : OptionalDouble.of(value);
    }
}
