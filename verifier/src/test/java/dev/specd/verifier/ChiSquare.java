package dev.specd.verifier;

import java.util.ArrayList;
import java.util.List;

/** Pearson's χ² goodness-of-fit test, for the statistical losslessness tests. */
final class ChiSquare {

    /** Cells expecting fewer samples than this are pooled, the usual validity rule for Pearson's χ². */
    static final double MIN_EXPECTED = 5;

    private ChiSquare() {}

    /**
     * p-value of observed counts under the given cell probabilities. Cells expecting fewer than
     * {@link #MIN_EXPECTED} samples are pooled into one. A sample in a cell of probability 0 is
     * impossible under the hypothesis: the p-value is then 0.
     */
    static double pValue(long[] observed, double[] probabilities) {
        long samples = 0;
        for (long count : observed) {
            samples += count;
        }
        List<double[]> cells = new ArrayList<>(); // {observed, expected}
        double pooledObserved = 0;
        double pooledExpected = 0;
        for (int cell = 0; cell < observed.length; cell++) {
            double expected = probabilities[cell] * samples;
            if (probabilities[cell] == 0 && observed[cell] > 0) {
                return 0;
            }
            if (expected < MIN_EXPECTED) {
                pooledObserved += observed[cell];
                pooledExpected += expected;
            } else {
                cells.add(new double[] {observed[cell], expected});
            }
        }
        if (pooledExpected > 0) {
            if (pooledExpected < MIN_EXPECTED && !cells.isEmpty()) {
                double[] smallest = cells.stream().min((a, b) -> Double.compare(a[1], b[1])).orElseThrow();
                smallest[0] += pooledObserved;
                smallest[1] += pooledExpected;
            } else {
                cells.add(new double[] {pooledObserved, pooledExpected});
            }
        }
        if (cells.size() < 2) {
            return 1; // one cell holds everything: nothing to compare
        }
        double statistic = 0;
        for (double[] cell : cells) {
            double difference = cell[0] - cell[1];
            statistic += difference * difference / cell[1];
        }
        return upperTail(statistic, cells.size() - 1);
    }

    /** P(χ²_k ≥ x) = Q(k/2, x/2), the regularized upper incomplete gamma function. */
    static double upperTail(double x, int degreesOfFreedom) {
        double a = degreesOfFreedom / 2.0;
        double z = x / 2.0;
        if (z <= 0) {
            return 1;
        }
        double logPrefactor = -z + a * Math.log(z) - logGamma(a);
        if (z < a + 1) {
            // Series for the lower function P(a, z); Q = 1 − P.
            double term = 1 / a;
            double sum = term;
            for (int n = 1; n < 10_000 && Math.abs(term) > Math.abs(sum) * 1e-16; n++) {
                term *= z / (a + n);
                sum += term;
            }
            return Math.max(0, 1 - sum * Math.exp(logPrefactor));
        }
        // Continued fraction for Q(a, z), modified Lentz's method.
        double tiny = 1e-300;
        double b = z + 1 - a;
        double c = 1 / tiny;
        double d = 1 / b;
        double h = d;
        for (int i = 1; i < 10_000; i++) {
            double an = -i * (i - a);
            b += 2;
            d = an * d + b;
            d = Math.abs(d) < tiny ? tiny : d;
            c = b + an / c;
            c = Math.abs(c) < tiny ? tiny : c;
            d = 1 / d;
            double delta = d * c;
            h *= delta;
            if (Math.abs(delta - 1) < 1e-16) {
                break;
            }
        }
        return Math.exp(logPrefactor) * h;
    }

    /** ln Γ(x) for x > 0, Lanczos approximation (g = 7, 9 terms), relative error below 1e-13. */
    static double logGamma(double x) {
        double[] coefficients = {0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
                -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
                1.5056327351493116e-7};
        double shifted = x - 1;
        double series = coefficients[0];
        for (int i = 1; i < coefficients.length; i++) {
            series += coefficients[i] / (shifted + i);
        }
        double t = shifted + 7.5;
        return 0.5 * Math.log(2 * Math.PI) + (shifted + 0.5) * Math.log(t) - t + Math.log(series);
    }
}
