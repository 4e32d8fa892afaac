package dev.specd.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PercentilesTest {

    @Test
    void interpolatesLinearlyBetweenClosestRanks() {
        double[] sorted = {1, 2, 3, 4, 5};
        assertEquals(1, Percentiles.of(sorted, 0));
        assertEquals(3, Percentiles.of(sorted, 50));
        assertEquals(4.6, Percentiles.of(sorted, 90), 1e-12);
        assertEquals(4.96, Percentiles.of(sorted, 99), 1e-12);
        assertEquals(5, Percentiles.of(sorted, 100));
        assertEquals(2.5, Percentiles.of(new double[] {2, 3}, 50));
        assertEquals(7, Percentiles.of(new double[] {7}, 99));
    }

    /** numpy.percentile(range(1, 101), [50, 90, 99]) = 50.5, 90.1, 99.01. */
    @Test
    void agreesWithNumpyOnAHundredValues() {
        double[] sorted = new double[100];
        Arrays.setAll(sorted, i -> i + 1);
        assertEquals(50.5, Percentiles.of(sorted, 50), 1e-9);
        assertEquals(90.1, Percentiles.of(sorted, 90), 1e-9);
        assertEquals(99.01, Percentiles.of(sorted, 99), 1e-9);
    }

    @Test
    void distributionSkipsMissingValuesAndIsEmptyWithoutAny() {
        Distribution distribution = Distribution.of(Arrays.asList(3.0, null, 1.0, 2.0));
        assertEquals(3, distribution.count());
        assertEquals(2.0, distribution.mean(), 1e-12);
        assertEquals(2.0, distribution.p50(), 1e-12);
        assertEquals(2.8, distribution.p90(), 1e-12);
        assertEquals(2.98, distribution.p99(), 1e-12);
        assertEquals(3.0, distribution.max(), 1e-12);
        Distribution empty = Distribution.of(List.of());
        assertEquals(0, empty.count());
        assertNull(empty.p50());
    }

    @Test
    void refusesNoValuesAndPercentilesOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> Percentiles.of(new double[0], 50));
        assertThrows(IllegalArgumentException.class, () -> Percentiles.of(new double[] {1}, 101));
    }
}
