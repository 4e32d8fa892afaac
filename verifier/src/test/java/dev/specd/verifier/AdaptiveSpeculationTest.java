package dev.specd.verifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AdaptiveSpeculationTest {

    @Test
    void warmsUpForItsFirstStepsAndANewSequenceStartsFromThePopulation() {
        AdaptiveSpeculation.Config config = new AdaptiveSpeculation.Config(0, 4, 2, 3, 0.5, 0.5, 8);
        AdaptiveSpeculation population = new AdaptiveSpeculation(config);
        for (int i = 0; i < 3; i++) {
            assertTrue(population.warmingUp());
            population.observe(new SpeculationStep(4, 4, null));
        }
        assertFalse(population.warmingUp());
        AdaptiveSpeculation next = AdaptiveSpeculation.startingFrom(population);
        assertFalse(next.warmingUp(), "what the population learned counts for the new sequence");
        assertArrayEquals(population.acceptance(), next.acceptance(), 0);
        next.observe(new SpeculationStep(4, 0, null));
        assertEquals(0.9375, population.acceptance()[0], 1e-12, "the population is not changed by the copy");
    }

    @Test
    void observesOnlyPositionsWhosePrefixWasAccepted() {
        AdaptiveSpeculation.Config config = new AdaptiveSpeculation.Config(0, 4, 2, 0, 0.5, 0.5, 8);
        AdaptiveSpeculation binary = new AdaptiveSpeculation(config);
        binary.observe(new SpeculationStep(4, 1, null));
        // Position 1 accepted (0.5 → 0.75), position 2 rejected (0.5 → 0.25), 3 and 4 unobserved.
        assertArrayEquals(new double[] {0.75, 0.25, 0.5, 0.5}, binary.acceptance(), 1e-12);

        AdaptiveSpeculation expected = new AdaptiveSpeculation(config);
        expected.observe(new SpeculationStep(4, 1, new double[] {0.9, 0.3, 0.6, 0.6}));
        // With Σ min(p, q) at hand, positions 1 and 2 learn those probabilities instead of 1 and 0.
        assertArrayEquals(new double[] {0.7, 0.4, 0.5, 0.5}, expected.acceptance(), 1e-12);
    }
}
