package dev.specd.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The χ² helper the losslessness tests rely on, against textbook critical values. */
class ChiSquareTest {

    @Test
    void upperTailMatchesCriticalValues() {
        assertEquals(0.05, ChiSquare.upperTail(3.841458820694124, 1), 1e-9);
        assertEquals(0.05, ChiSquare.upperTail(18.307038053275146, 10), 1e-9);
        assertEquals(0.01, ChiSquare.upperTail(135.80672317246316, 100), 1e-9);
        // With 2 degrees of freedom the tail is exactly exp(−x/2).
        assertEquals(0.001, ChiSquare.upperTail(2 * Math.log(1000), 2), 1e-12);
        assertEquals(1.0, ChiSquare.upperTail(0, 5), 0);
    }

    @Test
    void logGammaMatchesFactorials() {
        assertEquals(Math.log(120), ChiSquare.logGamma(6), 1e-12);
        assertEquals(0.5 * Math.log(Math.PI), ChiSquare.logGamma(0.5), 1e-12);
    }

    @Test
    void pValueSeparatesFitFromMisfit() {
        double[] uniform = {0.25, 0.25, 0.25, 0.25};
        assertTrue(ChiSquare.pValue(new long[] {250, 260, 240, 250}, uniform) > 0.5);
        assertTrue(ChiSquare.pValue(new long[] {300, 250, 200, 250}, uniform) < 1e-3);
        assertEquals(0, ChiSquare.pValue(new long[] {500, 500, 1}, new double[] {0.5, 0.5, 0}));
    }
}
