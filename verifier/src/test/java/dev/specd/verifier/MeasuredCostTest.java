package dev.specd.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MeasuredCostTest {

    @Test
    void priorsGiveTheCostsUntilMeasurementsArrive() {
        CostModel batchOfOne = new MeasuredCost(1, 0.02, 0.2).at(1);
        assertEquals(0.2 / 1.02, batchOfOne.draftStepCost(), 1e-9);
        assertEquals(1, batchOfOne.verifyCost(1), 1e-12);
        assertEquals(1 + 0.02 / 1.02, batchOfOne.verifyCost(2), 1e-9);
    }

    @Test
    void learnsTheVerificationLineAndTheDraftStepFromObservations() {
        MeasuredCost cost = new MeasuredCost(1, 0.02, 0.2);
        // A verification forward over P padded positions takes 5 + 0.5 P ms, a plain step of 4 the
        // same 7 ms; a draft step 1.4 ms.
        for (int i = 0; i < 400; i++) {
            int tokensPerSequence = 2 + i % 4;
            cost.observeTarget(4, tokensPerSequence, 5 + 0.5 * 4 * tokensPerSequence);
            cost.observeTarget(4, 1, 7);
            cost.observeDraftStep(1.4);
        }
        CostModel batchOfFour = cost.at(4);
        assertEquals(1.4 / 7, batchOfFour.draftStepCost(), 1e-6);
        assertEquals(1 + 2.0 / 7, batchOfFour.verifyCost(2), 1e-6, "one position deeper in all four blocks: 2 ms");
        assertEquals(1 + 3 * 2.0 / 7, batchOfFour.verifyCost(4), 1e-6);
    }

    @Test
    void aPlainStepCheaperThanTheLineMakesVerificationPayAnOnset() {
        MeasuredCost cost = new MeasuredCost(1, 0.02, 0.2);
        // At batch 1 a plain step takes 4 ms, verifying T positions 5 + 0.05 T ms.
        for (int i = 0; i < 400; i++) {
            int tokensPerSequence = 2 + i % 6;
            cost.observeTarget(1, tokensPerSequence, 5 + 0.05 * tokensPerSequence);
            cost.observeTarget(1, 1, 4);
        }
        CostModel batchOfOne = cost.at(1);
        assertEquals(1, batchOfOne.verifyCost(1), 1e-12);
        assertEquals(5.1 / 4, batchOfOne.verifyCost(2), 1e-6);
        assertEquals(5.25 / 4, batchOfOne.verifyCost(5), 1e-6);
        assertEquals(0.2 / 4, batchOfOne.draftStepCost(), 1e-6, "the draft step prior, against the measured plain step");
    }

    @Test
    void aFixedCostIgnoresObservations() {
        MeasuredCost cost = MeasuredCost.fixed(1, 0.02, 0.2);
        for (int i = 0; i < 100; i++) {
            cost.observeTarget(1, 8, 50);
            cost.observeTarget(1, 1, 30);
            cost.observeDraftStep(30);
        }
        assertEquals(0.2 / 1.02, cost.at(1).draftStepCost(), 1e-9);
        assertEquals(1 + 0.02 / 1.02, cost.at(1).verifyCost(2), 1e-9);
    }
}
