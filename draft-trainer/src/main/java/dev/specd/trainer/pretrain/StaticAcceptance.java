package dev.specd.trainer.pretrain;

import ai.djl.ndarray.NDArray;

/**
 * How often a draft would be accepted by its target on fixed text, without running speculation:
 * at every position, the greedy match (both argmaxes equal: acceptance at temperature 0) and the
 * expected acceptance at temperature 1, α = Σₓ min(p(x), q(x)) with p the target's and q the draft's
 * softmax (Leviathan et al. 2023, §3.3). Sums over positions; add up chunks with {@link #plus}.
 */
public record StaticAcceptance(long positions, long greedyMatches, double alphaSum) {

    public static final StaticAcceptance NONE = new StaticAcceptance(0, 0, 0);

    /** Target and draft logits [N, V] (or [B, T, V]) at the same positions. */
    public static StaticAcceptance of(NDArray targetLogits, NDArray draftLogits) {
        long vocab = targetLogits.getShape().get(targetLogits.getShape().dimension() - 1);
        NDArray p = targetLogits.reshape(-1, vocab).softmax(-1); // [N, V]
        NDArray q = draftLogits.reshape(-1, vocab).softmax(-1);
        long positions = p.getShape().get(0);
        double alphaSum = p.minimum(q).sum().getFloat();
        long matches = p.argMax(-1).eq(q.argMax(-1)).sum().toType(ai.djl.ndarray.types.DataType.INT64, false).getLong();
        return new StaticAcceptance(positions, matches, alphaSum);
    }

    public StaticAcceptance plus(StaticAcceptance other) {
        return new StaticAcceptance(positions + other.positions, greedyMatches + other.greedyMatches,
                alphaSum + other.alphaSum);
    }

    /** The fraction of positions where target and draft agree on the most likely token. */
    public double greedyMatchRate() {
        return (double) greedyMatches / positions;
    }

    /** The mean of Σₓ min(p, q): the probability a sampled draft token is accepted at temperature 1. */
    public double expectedAcceptance() {
        return alphaSum / positions;
    }
}
