package dev.specd.verifier;

/**
 * The cost model from measured forward times. A target forward over P positions (all sequences'
 * scored tokens together) costs about fixed + perPosition · P: the fixed part is reading the
 * weights once, the per-position part the arithmetic, which dominates once the batch is large.
 * Both are fitted by exponentially weighted least squares; a draft step's time is an exponentially
 * weighted mean. Priors stand in as pseudo-observations until measurements arrive.
 */
public final class MeasuredCost {

    /** Weight of the newest observation. */
    private static final double SMOOTHING = 0.05;

    private double weight;
    private double sumPositions;
    private double sumPositionsSquared;
    private double sumMillis;
    private double sumPositionMillis;
    private double draftStepMillis;

    /**
     * @param priorFixedMillis a target forward's cost at 1 position
     * @param priorPerPositionMillis each further position
     * @param priorDraftStepMillis one draft step
     */
    public MeasuredCost(double priorFixedMillis, double priorPerPositionMillis, double priorDraftStepMillis) {
        // Two pseudo-observations, at 1 and 9 positions, pin the prior line.
        observeTarget(1, priorFixedMillis + priorPerPositionMillis);
        observeTarget(9, priorFixedMillis + 9 * priorPerPositionMillis);
        draftStepMillis = priorDraftStepMillis;
    }

    public synchronized void observeTarget(int positions, double millis) {
        decay();
        weight += 1;
        sumPositions += positions;
        sumPositionsSquared += (double) positions * positions;
        sumMillis += millis;
        sumPositionMillis += positions * millis;
    }

    public synchronized void observeDraftStep(double millis) {
        draftStepMillis += SMOOTHING * (millis - draftStepMillis);
    }

    /** Costs per sequence at this batch size, in units of one plain decode step of the batch. */
    public synchronized CostModel at(int batchSize) {
        double perPosition = perPositionMillis();
        double fixed = Math.max(1e-3, (sumMillis - perPosition * sumPositions) / weight);
        double plainStep = fixed + perPosition * batchSize;
        return CostModel.linear(draftStepMillis / plainStep, perPosition * batchSize / plainStep);
    }

    private double perPositionMillis() {
        double variance = weight * sumPositionsSquared - sumPositions * sumPositions;
        if (variance <= 1e-9) {
            return 0;
        }
        return Math.max(0, (weight * sumPositionMillis - sumPositions * sumMillis) / variance);
    }

    private void decay() {
        double keep = 1 - SMOOTHING;
        weight *= keep;
        sumPositions *= keep;
        sumPositionsSquared *= keep;
        sumMillis *= keep;
        sumPositionMillis *= keep;
    }
}
