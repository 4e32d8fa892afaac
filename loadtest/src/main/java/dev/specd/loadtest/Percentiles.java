package dev.specd.loadtest;

/**
 * Percentiles by linear interpolation between the closest ranks (the usual default, numpy's
 * "linear"): the p-th percentile of sorted values x[0..n-1] is x at rank p/100 * (n - 1),
 * interpolated. p0 is the minimum and p100 the maximum.
 */
final class Percentiles {

    private Percentiles() {}

    /** @param sorted ascending, not empty */
    static double of(double[] sorted, double p) {
        if (sorted.length == 0) {
            throw new IllegalArgumentException("no values");
        }
        if (p < 0 || p > 100) {
            throw new IllegalArgumentException("a percentile is in [0, 100], not " + p);
        }
        double rank = p / 100 * (sorted.length - 1);
        int below = (int) Math.floor(rank);
        int above = Math.min(below + 1, sorted.length - 1);
        return sorted[below] + (rank - below) * (sorted[above] - sorted[below]);
    }
}
