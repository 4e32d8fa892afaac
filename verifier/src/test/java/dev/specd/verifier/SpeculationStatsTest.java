package dev.specd.verifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SpeculationStatsTest {

    @Test
    void accumulatesVllmStyleCounters() {
        SpeculationStats stats = new SpeculationStats();
        stats.record(new SpeculationStep(4, 4, null));
        stats.record(new SpeculationStep(4, 1, new double[] {0.9, 0.5, 0.4, 0.2}));
        stats.record(new SpeculationStep(0, 0, null));
        stats.record(new SpeculationStep(2, 0, new double[] {0.3, 0.1}));

        assertEquals(3, stats.drafts());
        assertEquals(1, stats.plainSteps());
        assertEquals(10, stats.draftedTokens());
        assertEquals(5, stats.acceptedTokens());
        assertEquals(0.5, stats.acceptanceRate(), 1e-12);
        assertEquals(1 + 5.0 / 3, stats.meanAcceptedLength(), 1e-12);
        assertArrayEquals(new long[] {3, 3, 2, 2}, stats.draftedPerPosition());
        assertArrayEquals(new long[] {2, 1, 1, 1}, stats.acceptedPerPosition());
        // Σ min(p, q) over the 6 positions that reported it.
        assertEquals((0.9 + 0.5 + 0.4 + 0.2 + 0.3 + 0.1) / 6, stats.expectedAcceptanceRate(), 1e-12);
        assertArrayEquals(new int[] {4, 4, 0, 2}, stats.draftedPerStep());
        assertArrayEquals(new int[] {4, 1, 0, 0}, stats.acceptedPerStep());
    }

    @Test
    void perStepHistoryGrowsPastItsInitialCapacity() {
        SpeculationStats stats = new SpeculationStats();
        for (int step = 0; step < 100; step++) {
            stats.record(new SpeculationStep(3, step % 4, null));
        }
        int[] accepted = stats.acceptedPerStep();
        assertEquals(100, accepted.length);
        assertEquals(99 % 4, accepted[99]);
        assertEquals(1 + (double) stats.acceptedTokens() / 100, stats.meanAcceptedLength(), 1e-12);
    }

    @Test
    void ratesAreUndefinedBeforeAnyDraft() {
        SpeculationStats stats = new SpeculationStats();
        stats.record(new SpeculationStep(0, 0, null));
        assertTrue(Double.isNaN(stats.acceptanceRate()));
        assertTrue(Double.isNaN(stats.meanAcceptedLength()));
        assertTrue(Double.isNaN(stats.expectedAcceptanceRate()));
    }

    @Test
    void stepIsImmutableAndValidated() {
        double[] expected = {0.5, 0.25};
        SpeculationStep step = new SpeculationStep(2, 1, expected);
        expected[0] = 9;
        step.expectedAcceptance()[1] = 9;
        assertArrayEquals(new double[] {0.5, 0.25}, step.expectedAcceptance());
        assertEquals(2, step.emitted());
        assertThrows(IllegalArgumentException.class, () -> new SpeculationStep(2, 3, null));
        assertThrows(IllegalArgumentException.class, () -> new SpeculationStep(2, 1, new double[] {0.5}));
    }
}
