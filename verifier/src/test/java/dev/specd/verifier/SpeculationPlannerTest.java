package dev.specd.verifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specd.verifier.SpeculationPlanner.Candidate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpeculationPlannerTest {

    static final CostModel CHEAP_DRAFT = CostModel.linear(0.05, 0.02);

    /** γ from 0 to 6, starting at 3 for 4 steps, prior a_j = 0.7, exploring every 8th plan. */
    static AdaptiveSpeculation controller() {
        return new AdaptiveSpeculation(new AdaptiveSpeculation.Config(0, 6, 3, 4, 0.7, 0.2, 8));
    }

    /** One plan for a batch of one and its outcome when the first {@code acceptedUpTo} drafted positions would be accepted. */
    static int step(SpeculationPlanner planner, AdaptiveSpeculation speculation, CostModel cost, int acceptedUpTo) {
        int gamma = planner.plan(List.of(Candidate.of(speculation, 6)), cost)[0];
        speculation.observe(new SpeculationStep(gamma, Math.min(gamma, acceptedUpTo), null));
        return gamma;
    }

    static double[] flat(double acceptance, int length) {
        double[] estimates = new double[length];
        Arrays.fill(estimates, acceptance);
        return estimates;
    }

    @Test
    void newSequencesSpeculateAtTheInitialGamma() {
        SpeculationPlanner planner = new SpeculationPlanner(8);
        AdaptiveSpeculation speculation = controller();
        // Even while nothing is accepted and the batch makes verification expensive.
        CostModel expensive = CostModel.linear(0.5, 1.0);
        for (int i = 0; i < 4; i++) {
            assertEquals(3, step(planner, speculation, expensive, 0));
        }
        assertEquals(0, step(planner, speculation, expensive, 0));
    }

    @Test
    void highAcceptanceDraftsTheMaximum() {
        SpeculationPlanner planner = new SpeculationPlanner(8);
        AdaptiveSpeculation speculation = controller();
        for (int i = 0; i < 40; i++) {
            step(planner, speculation, CHEAP_DRAFT, Integer.MAX_VALUE);
        }
        assertEquals(6, step(planner, speculation, CHEAP_DRAFT, Integer.MAX_VALUE));
    }

    @Test
    void noAcceptanceTurnsSpeculationOffWithProbesThatBackOff() {
        SpeculationPlanner planner = new SpeculationPlanner(8);
        AdaptiveSpeculation speculation = controller();
        for (int i = 0; i < 40; i++) {
            step(planner, speculation, CHEAP_DRAFT, 0);
        }
        int[] gammas = new int[640];
        List<Integer> probes = new ArrayList<>();
        for (int i = 0; i < gammas.length; i++) {
            gammas[i] = step(planner, speculation, CHEAP_DRAFT, 0);
            if (gammas[i] > 0) {
                probes.add(i);
            }
        }
        assertTrue(Arrays.stream(gammas).allMatch(gamma -> gamma <= 1), Arrays.toString(gammas));
        List<Integer> intervals = new ArrayList<>();
        for (int i = 1; i < probes.size(); i++) {
            intervals.add(probes.get(i) - probes.get(i - 1));
        }
        // Doubling from 8 up to 8 × 8 = 64 plans between probes, then staying there.
        assertEquals(64, intervals.getLast());
        assertTrue(intervals.size() >= 8 && intervals.stream().allMatch(interval -> interval <= 64), intervals.toString());
        for (int i = 1; i < intervals.size(); i++) {
            assertTrue(intervals.get(i) >= intervals.get(i - 1), "the interval never shrinks while probes fail: " + intervals);
        }
    }

    @Test
    void recoversFromGammaZeroWhenAcceptanceReturns() {
        SpeculationPlanner planner = new SpeculationPlanner(8);
        AdaptiveSpeculation speculation = controller();
        for (int i = 0; i < 100; i++) {
            step(planner, speculation, CHEAP_DRAFT, 0);
        }
        int steps = 0;
        while (step(planner, speculation, CHEAP_DRAFT, Integer.MAX_VALUE) < 6) {
            assertTrue(++steps < 200, "still below maxGamma after 200 steps of full acceptance");
        }
        for (int i = 0; i < 20; i++) {
            assertEquals(6, step(planner, speculation, CHEAP_DRAFT, Integer.MAX_VALUE));
        }
    }

    @Test
    void expensiveDraftDraftsLess() {
        List<Candidate> one = List.of(new Candidate(flat(0.7, 4), 0, 4));
        // E/cost at c = 0.05: 1, 1.62, 1.99, 2.20, 2.31 → 4. At c = 0.5: 1, 1.13, 1.10, 1.01, 0.92 → 1.
        assertEquals(4, SpeculationPlanner.bestDepth(one, CostModel.linear(0.05, 0), 0, 4));
        assertEquals(1, SpeculationPlanner.bestDepth(one, CostModel.linear(0.5, 0), 0, 4));
    }

    @Test
    void optimumMatchesHandComputation() {
        List<Candidate> one = List.of(new Candidate(flat(0.8, 8), 0, 8));
        // (1 − 0.8^{γ+1}) / 0.2 / (1 + 0.1 γ) for γ = 5, 6, 7: 2.4595, 2.4696, 2.4477.
        assertEquals(6, SpeculationPlanner.bestDepth(one, CostModel.linear(0.1, 0), 0, 8));
        assertEquals(3, SpeculationPlanner.bestDepth(one, CostModel.linear(0.1, 0), 0, 3), "capped by the deepest allowed");
        assertEquals(1.75, AdaptiveSpeculation.expectedTokens(new double[] {0.5, 0.5}, 2), 1e-12);
    }

    @Test
    void computeBoundVerificationTurnsSpeculationOffWithoutProbing() {
        // At a large batch each verified position costs a full step: even perfect acceptance does not pay.
        CostModel largeBatch = CostModel.linear(0.05, 1.0);
        assertEquals(0, SpeculationPlanner.bestDepth(List.of(new Candidate(flat(1, 6), 0, 6)), largeBatch, 0, 6));
        SpeculationPlanner planner = new SpeculationPlanner(8);
        AdaptiveSpeculation speculation = new AdaptiveSpeculation(new AdaptiveSpeculation.Config(0, 6, 3, 0, 1.0, 0.2, 8));
        for (int i = 0; i < 50; i++) {
            assertEquals(0, step(planner, speculation, largeBatch, Integer.MAX_VALUE));
        }
    }

    @Test
    void minGammaIsRespected() {
        SpeculationPlanner planner = new SpeculationPlanner(8);
        AdaptiveSpeculation speculation = new AdaptiveSpeculation(new AdaptiveSpeculation.Config(2, 6, 3, 0, 0.7, 0.2, 8));
        for (int i = 0; i < 50; i++) {
            assertTrue(step(planner, speculation, CHEAP_DRAFT, 0) >= 2);
        }
    }

    @Test
    void theBatchDraftsOneDepthCappedPerSequence() {
        // Σ E / cost at c = 0.1, e = 0.02 for D = 4, 5, 6: 4.598, 4.622, 4.609 → 5; the second sequence may draft 2.
        List<Candidate> batch = List.of(new Candidate(flat(0.9, 6), 0, 6), new Candidate(flat(0.9, 6), 0, 2));
        assertArrayEquals(new int[] {5, 2}, new SpeculationPlanner(8).plan(batch, CostModel.linear(0.1, 0.02)));
    }

    @Test
    void sequencesThatRarelyAcceptOutvoteOneThatDoesWhenTheyPayForItsDepth() {
        Candidate good = new Candidate(flat(0.9, 6), 0, 6);
        Candidate poor = new Candidate(flat(0.1, 6), 0, 6);
        assertEquals(6, SpeculationPlanner.bestDepth(List.of(good), CostModel.linear(0.1, 0.02), 0, 6), "alone it pays");
        // Batched with three that gain ~0.1 token per position, each position padded into all four
        // blocks costs 0.3 of a step: Σ E / cost is 4.0, 3.71, 3.36 … for D = 0, 1, 2 …
        assertArrayEquals(new int[4], new SpeculationPlanner(8).plan(List.of(good, poor, poor, poor), CostModel.linear(0.1, 0.3)));
    }

    @Test
    void aWarmingUpSequenceSetsTheFloorForTheBatch() {
        AdaptiveSpeculation settled = AdaptiveSpeculation.startingFrom(warmedUp(0.0));
        AdaptiveSpeculation fresh = controller();
        int[] gammas = new SpeculationPlanner(8).plan(List.of(Candidate.of(settled, 6), Candidate.of(fresh, 2)), CostModel.linear(0.5, 1.0));
        assertArrayEquals(new int[] {2, 2}, gammas, "the initial γ of 3, within the fresh sequence's cap of 2");
    }

    private static AdaptiveSpeculation warmedUp(double acceptance) {
        AdaptiveSpeculation speculation = controller();
        for (int i = 0; i < 4; i++) {
            speculation.observe(new SpeculationStep(6, 0, flat(acceptance, 6)));
        }
        return speculation;
    }
}
