package dev.specd.verifier;

import java.util.HashMap;
import java.util.Map;

/**
 * The cost model from measured forward times. A verification forward over P positions (B
 * sequences' blocks padded to the longest, T ≥ 2: P = B · T) costs about fixed + perPosition · P:
 * the fixed part is reading the weights once, the per-position part the arithmetic, which dominates
 * once the batch is large. That line is fitted by exponentially weighted least squares. A plain
 * decode step (T = 1) is measured on its own, per batch size: it can take another, cheaper path (no
 * attention mask at batch 1), and speculation must pay for the difference. A draft step's time is an
 * exponentially weighted mean. Priors stand in as pseudo-observations until measurements arrive. A
 * {@link #fixed} one keeps its priors, for runs whose γ choices must not depend on machine noise.
 */
public final class MeasuredCost {

    /** Weight of the newest observation. */
    private static final double SMOOTHING = 0.05;

    private final boolean learns;
    private double weight;
    private double sumPositions;
    private double sumPositionsSquared;
    private double sumMillis;
    private double sumPositionMillis;
    /** Batch size → exponentially weighted time of a plain decode step at that size. */
    private final Map<Integer, Double> plainStepMillis = new HashMap<>();
    private double draftStepMillis;

    /**
     * @param priorFixedMillis a target forward's cost at 1 position
     * @param priorPerPositionMillis each further position
     * @param priorDraftStepMillis one draft step
     */
    public MeasuredCost(double priorFixedMillis, double priorPerPositionMillis, double priorDraftStepMillis) {
        this(priorFixedMillis, priorPerPositionMillis, priorDraftStepMillis, true);
    }

    private MeasuredCost(double priorFixedMillis, double priorPerPositionMillis, double priorDraftStepMillis, boolean learns) {
        // Two pseudo-observations, at 1 and 9 positions, pin the prior line.
        fit(1, priorFixedMillis + priorPerPositionMillis);
        fit(9, priorFixedMillis + 9 * priorPerPositionMillis);
        draftStepMillis = priorDraftStepMillis;
        this.learns = learns;
    }

    /** Costs that stay at these values whatever is observed. */
    public static MeasuredCost fixed(double fixedMillis, double perPositionMillis, double draftStepMillis) {
        return new MeasuredCost(fixedMillis, perPositionMillis, draftStepMillis, false);
    }

    /** A target forward of {@code batch} sequences, each padded to {@code tokensPerSequence} new tokens. */
    public synchronized void observeTarget(int batch, int tokensPerSequence, double millis) {
        if (!learns) {
            return;
        }
        if (tokensPerSequence == 1) {
            plainStepMillis.merge(batch, millis, (mean, newest) -> mean + SMOOTHING * (newest - mean));
        } else {
            fit(batch * tokensPerSequence, millis);
        }
    }

    public synchronized void observeDraftStep(double millis) {
        if (learns) {
            draftStepMillis += SMOOTHING * (millis - draftStepMillis);
        }
    }

    /**
     * Costs of one step of a batch of this size, in units of its plain decode step: a draft step,
     * the onset of verifying more than one position per sequence, and each position that every
     * block is padded deeper by.
     */
    public synchronized CostModel at(int batchSize) {
        double perPosition = perPositionMillis();
        double fixed = Math.max(1e-3, (sumMillis - perPosition * sumPositions) / weight);
        double plainStep = plainStepMillis.getOrDefault(batchSize, fixed + perPosition * batchSize);
        double extraPosition = perPosition * batchSize / plainStep;
        double twoPositions = (fixed + perPosition * 2 * batchSize) / plainStep;
        return CostModel.linear(draftStepMillis / plainStep, Math.max(0, twoPositions - 1 - extraPosition), extraPosition);
    }

    private void fit(int positions, double millis) {
        decay();
        weight += 1;
        sumPositions += positions;
        sumPositionsSquared += (double) positions * positions;
        sumMillis += millis;
        sumPositionMillis += positions * millis;
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
