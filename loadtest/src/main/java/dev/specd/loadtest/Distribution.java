package dev.specd.loadtest;

import java.util.Arrays;
import java.util.Collection;
import java.util.Objects;

/** Count, mean and percentiles of a measurement; all but the count are null without values. */
public record Distribution(int count, Double mean, Double p50, Double p90, Double p99, Double max) {

    /** Of the non-null values. */
    public static Distribution of(Collection<Double> values) {
        double[] sorted = values.stream().filter(Objects::nonNull).mapToDouble(Double::doubleValue).sorted().toArray();
        if (sorted.length == 0) {
            return new Distribution(0, null, null, null, null, null);
        }
        return new Distribution(sorted.length, Arrays.stream(sorted).average().orElseThrow(),
                Percentiles.of(sorted, 50), Percentiles.of(sorted, 90), Percentiles.of(sorted, 99),
                sorted[sorted.length - 1]);
    }
}
