package dev.specd.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MeasuredCostTest {

    @Test
    void priorsGiveTheCostsUntilMeasurementsArrive() {
        CostModel batchOfOne = new MeasuredCost(1, 0.02, 0.2).at(1);
        assertEquals(0.2 / 1.02, batchOfOne.draftStepCost(), 1e-9);
        assertEquals(1 + 0.02 / 1.02, batchOfOne.verifyCost(2), 1e-9);
    }

    @Test
    void learnsTheForwardLineAndTheDraftStepFromObservations() {
        MeasuredCost cost = new MeasuredCost(1, 0.02, 0.2);
        // A forward over P padded positions takes 5 + 0.5 P ms; a draft step 1.4 ms.
        for (int i = 0; i < 400; i++) {
            int positions = 4 * (1 + i % 4);
            cost.observeTarget(positions, 5 + 0.5 * positions);
            cost.observeDraftStep(1.4);
        }
        CostModel batchOfFour = cost.at(4); // plain step: 5 + 0.5 · 4 = 7 ms
        assertEquals(1.4 / 7, batchOfFour.draftStepCost(), 1e-6);
        assertEquals(1 + 2.0 / 7, batchOfFour.verifyCost(2), 1e-6, "one position deeper in all four blocks: 2 ms");
        assertEquals(1 + 3 * 2.0 / 7, batchOfFour.verifyCost(4), 1e-6);
    }

    @Test
    void aFixedCostIgnoresObservations() {
        MeasuredCost cost = MeasuredCost.fixed(1, 0.02, 0.2);
        for (int i = 0; i < 100; i++) {
            cost.observeTarget(8, 50);
            cost.observeDraftStep(30);
        }
        assertEquals(0.2 / 1.02, cost.at(1).draftStepCost(), 1e-9);
        assertEquals(1 + 0.02 / 1.02, cost.at(1).verifyCost(2), 1e-9);
    }
}
