package dev.specd.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PoissonArrivalsTest {

    /** 20,000 exponential gaps: the mean's standard error is 0.7 %, so 3 % is over four of them. */
    @Test
    void meanRateMatchesWithinStatisticalTolerance() {
        double rate = 50;
        PoissonArrivals arrivals = new PoissonArrivals(rate, 42);
        int n = 20_000;
        double sumSeconds = 0;
        for (int i = 0; i < n; i++) {
            long gap = arrivals.nextGapNanos();
            assertTrue(gap >= 0);
            sumSeconds += gap / 1e9;
        }
        double measuredRate = n / sumSeconds;
        assertEquals(rate, measuredRate, rate * 0.03, "measured rate " + measuredRate);
    }

    /**
     * Counts per one-second window of a Poisson process have variance equal to their mean (index of
     * dispersion 1); a fixed-interval or bursty process would not. 4,000 windows give the index a
     * standard error near 0.02.
     */
    @Test
    void countsPerWindowAreDispersedLikePoisson() {
        double rate = 5;
        PoissonArrivals arrivals = new PoissonArrivals(rate, 7);
        int windows = 4_000;
        int[] counts = new int[windows];
        long time = 0;
        for (int i = 0; i < windows * 20; i++) {
            time += arrivals.nextGapNanos();
            int window = (int) (time / 1_000_000_000L);
            if (window >= windows) {
                break;
            }
            counts[window]++;
        }
        double mean = java.util.Arrays.stream(counts).average().orElseThrow();
        double variance = java.util.Arrays.stream(counts).mapToDouble(count -> (count - mean) * (count - mean)).sum()
                / (windows - 1);
        assertEquals(rate, mean, 0.2);
        assertEquals(1.0, variance / mean, 0.1, "index of dispersion");
    }

    @Test
    void aSeedFixesTheSequence() {
        PoissonArrivals first = new PoissonArrivals(3, 9);
        PoissonArrivals again = new PoissonArrivals(3, 9);
        PoissonArrivals other = new PoissonArrivals(3, 10);
        long a = 0;
        long b = 0;
        long c = 0;
        for (int i = 0; i < 100; i++) {
            a += first.nextGapNanos();
            b += again.nextGapNanos();
            c += other.nextGapNanos();
        }
        assertEquals(a, b);
        assertNotEquals(a, c);
    }

    @Test
    void refusesANonPositiveRate() {
        assertThrows(IllegalArgumentException.class, () -> new PoissonArrivals(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new PoissonArrivals(Double.NaN, 1));
    }
}
