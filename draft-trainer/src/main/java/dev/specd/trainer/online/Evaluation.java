package dev.specd.trainer.online;

/**
 * How well a draft predicts the target on held-out traffic, averaged over generated positions.
 *
 * @param expectedAcceptance mean Σ_x min(p(x), q(x)) over the k+1 buckets: the probability that
 *     speculative sampling accepts a token the draft proposes (Leviathan et al. 2023), α = 1 − TVD.
 *     On the top-k support this is exact; the tail bucket lumps the rest of the vocabulary together,
 *     which can only overstate α there (Σ min over tokens ≤ min of the sums), so it is an estimate
 *     tight when the tail mass is small
 * @param greedyMatch share of positions where the draft's argmax is the target's top-1: the
 *     acceptance rate of greedy (temperature 0) speculation
 * @param positions generated positions evaluated
 * @param records held-out records evaluated
 */
public record Evaluation(double expectedAcceptance, double greedyMatch, long positions, int records) {

    public static final Evaluation NONE = new Evaluation(Double.NaN, Double.NaN, 0, 0);
}
