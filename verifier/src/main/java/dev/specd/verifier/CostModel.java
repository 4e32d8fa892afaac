package dev.specd.verifier;

/**
 * The price of one speculative step of the whole batch, in units of one plain target decode step of
 * that batch (so {@code verifyCost(1) = 1}). The caller measures it and passes a fresh one when the
 * batch size changes: verification is memory-bound (nearly free extra positions) at small batches
 * and compute-bound (each extra position a full step) at large ones.
 */
public interface CostModel {

    /** One draft step of the batch: an n-gram lookup costs ~0, a draft model its forward / the target's. */
    double draftStepCost();

    /** One target forward with every sequence's block padded to {@code positions} = γ + 1 tokens; ≥ 1. */
    double verifyCost(int positions);

    /** γ draft steps, then verification of γ + 1 positions. γ = 0 is plain decoding: cost 1. */
    default double stepCost(int gamma) {
        return gamma * draftStepCost() + verifyCost(gamma + 1);
    }

    static CostModel linear(double draftStepCost, double extraPositionCost) {
        return new Linear(draftStepCost, 0, extraPositionCost);
    }

    static CostModel linear(double draftStepCost, double onsetCost, double extraPositionCost) {
        return new Linear(draftStepCost, onsetCost, extraPositionCost);
    }

    /**
     * verifyCost(1) = 1 and verifyCost(n) = 1 + onset + (n − 1) · extraPositionCost for n ≥ 2: the
     * onset is what verifying a block costs over a plain step before its length counts (another
     * attention path), the extra position cost about 0 when memory-bound and 1 when compute-bound.
     */
    record Linear(double draftStepCost, double onsetCost, double extraPositionCost) implements CostModel {

        public Linear {
            if (!(draftStepCost >= 0) || !(onsetCost >= 0) || !(extraPositionCost >= 0)) {
                throw new IllegalArgumentException("costs must be >= 0, got draft " + draftStepCost + ", onset "
                        + onsetCost + ", extra position " + extraPositionCost);
            }
        }

        @Override
        public double verifyCost(int positions) {
            return positions == 1 ? 1 : 1 + onsetCost + (positions - 1) * extraPositionCost;
        }
    }
}
