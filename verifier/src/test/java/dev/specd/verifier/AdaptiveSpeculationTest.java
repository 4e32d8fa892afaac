package dev.specd.verifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class AdaptiveSpeculationTest {

    static final CostModel CHEAP_DRAFT = CostModel.linear(0.05, 0.02);

    /** γ from 0 to 6, starting at 3 for 4 steps, prior a_j = 0.7, exploring every 8th decision. */
    static AdaptiveSpeculation controller() {
        return new AdaptiveSpeculation(new AdaptiveSpeculation.Config(0, 6, 3, 4, 0.7, 0.2, 8));
    }

    /** One decision and its outcome when the first {@code acceptedUpTo} drafted positions would be accepted. */
    static int step(AdaptiveSpeculation speculation, CostModel cost, int acceptedUpTo) {
        int gamma = speculation.nextGamma(cost);
        speculation.observe(new SpeculationStep(gamma, Math.min(gamma, acceptedUpTo), null));
        return gamma;
    }

    @Test
    void newSequencesSpeculateAtTheInitialGamma() {
        AdaptiveSpeculation speculation = controller();
        // Even while nothing is accepted and the batch makes verification expensive.
        CostModel expensive = CostModel.linear(0.5, 1.0);
        for (int i = 0; i < 4; i++) {
            assertEquals(3, step(speculation, expensive, 0));
        }
        assertEquals(0, speculation.nextGamma(expensive));
    }

    @Test
    void highAcceptanceDraftsTheMaximum() {
        AdaptiveSpeculation speculation = controller();
        for (int i = 0; i < 40; i++) {
            step(speculation, CHEAP_DRAFT, Integer.MAX_VALUE);
        }
        assertEquals(6, speculation.nextGamma(CHEAP_DRAFT));
    }

    @Test
    void noAcceptanceTurnsSpeculationOffWithPeriodicProbes() {
        AdaptiveSpeculation speculation = controller();
        for (int i = 0; i < 40; i++) {
            step(speculation, CHEAP_DRAFT, 0);
        }
        int[] gammas = new int[80];
        for (int i = 0; i < gammas.length; i++) {
            gammas[i] = step(speculation, CHEAP_DRAFT, 0);
        }
        assertEquals(70, Arrays.stream(gammas).filter(gamma -> gamma == 0).count(), Arrays.toString(gammas));
        assertEquals(10, Arrays.stream(gammas).filter(gamma -> gamma == 1).count(), "one probe of γ = 1 every 8 decisions");
    }

    @Test
    void recoversFromGammaZeroWhenAcceptanceReturns() {
        AdaptiveSpeculation speculation = controller();
        for (int i = 0; i < 100; i++) {
            step(speculation, CHEAP_DRAFT, 0);
        }
        assertEquals(0, speculation.nextGamma(CHEAP_DRAFT));
        int steps = 0;
        while (step(speculation, CHEAP_DRAFT, Integer.MAX_VALUE) < 6) {
            assertTrue(++steps < 200, "still below maxGamma after 200 steps of full acceptance");
        }
        for (int i = 0; i < 20; i++) {
            assertEquals(6, step(speculation, CHEAP_DRAFT, Integer.MAX_VALUE));
        }
    }

    @Test
    void expensiveDraftDraftsLess() {
        double[] acceptance = {0.7, 0.7, 0.7, 0.7};
        // E/cost at c = 0.05: 1, 1.62, 1.99, 2.20, 2.31 → 4. At c = 0.5: 1, 1.13, 1.10, 1.01, 0.92 → 1.
        assertEquals(4, AdaptiveSpeculation.bestGamma(acceptance, CostModel.linear(0.05, 0), 0, 4));
        assertEquals(1, AdaptiveSpeculation.bestGamma(acceptance, CostModel.linear(0.5, 0), 0, 4));
    }

    @Test
    void optimumMatchesHandComputation() {
        double[] acceptance = new double[8];
        Arrays.fill(acceptance, 0.8);
        // (1 − 0.8^{γ+1}) / 0.2 / (1 + 0.1 γ) for γ = 5, 6, 7: 2.4595, 2.4696, 2.4477.
        assertEquals(6, AdaptiveSpeculation.bestGamma(acceptance, CostModel.linear(0.1, 0), 0, 8));
        assertEquals(3, AdaptiveSpeculation.bestGamma(acceptance, CostModel.linear(0.1, 0), 0, 3), "capped by maxGamma");
        assertEquals(1.75, AdaptiveSpeculation.expectedTokens(new double[] {0.5, 0.5}, 2), 1e-12);
    }

    @Test
    void computeBoundVerificationTurnsSpeculationOffWithoutProbing() {
        // At a large batch each verified position costs a full step: even perfect acceptance does not pay.
        CostModel largeBatch = CostModel.linear(0.05, 1.0);
        double[] perfect = {1, 1, 1, 1, 1, 1};
        assertEquals(0, AdaptiveSpeculation.bestGamma(perfect, largeBatch, 0, 6));
        AdaptiveSpeculation speculation = new AdaptiveSpeculation(new AdaptiveSpeculation.Config(0, 6, 3, 0, 1.0, 0.2, 8));
        for (int i = 0; i < 50; i++) {
            assertEquals(0, step(speculation, largeBatch, Integer.MAX_VALUE));
        }
    }

    @Test
    void minGammaIsRespected() {
        AdaptiveSpeculation speculation = new AdaptiveSpeculation(new AdaptiveSpeculation.Config(2, 6, 3, 0, 0.7, 0.2, 8));
        for (int i = 0; i < 50; i++) {
            assertTrue(step(speculation, CHEAP_DRAFT, 0) >= 2);
        }
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
