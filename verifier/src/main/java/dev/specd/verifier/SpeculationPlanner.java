package dev.specd.verifier;

import java.util.Arrays;
import java.util.List;

/**
 * Chooses the next step's γ for every running sequence at once. One target forward verifies the
 * whole batch with each sequence's block padded to the longest, so drafting one position deeper for
 * any sequence costs the batch as much as drafting it for all of them: the planner picks one depth D
 * and every sequence drafts min(D, its cap). D maximises expected emitted tokens per unit cost
 * (the model of Leviathan et al. 2023, summed over the batch):
 * <pre>
 *   rate(D) = Σ_i E_i(min(D, cap_i)) / (D · c + verifyCost(D + 1))
 *   E_i(γ)  = 1 + Σ_{k=1..γ} Π_{j≤k} a_ij
 * </pre>
 * with a_ij from each sequence's {@link AdaptiveSpeculation}, and c and verifyCost from the
 * {@link CostModel} measured at this batch size. D = 0 (plain decoding: one token per sequence for
 * cost 1) is the fallback that keeps speculation from making serving slower.
 *
 * <p>Only positions 1..accepted+1 are ever observed, so a batch at depth D would never learn about
 * D + 1 (nor one at 0 about 1): every {@code explorationInterval}-th plan that is below the deepest
 * allowed drafts one position deeper, unless even perfect acceptance would not pay for it at this
 * cost. A probe costs a draft step and a wider verification, so while probes find nothing the
 * interval doubles, up to {@value #MAX_BACKOFF} times the configured one; it resets when the planned
 * depth grows. That is deterministic, and bounds exploration to one step in
 * {@code explorationInterval} at most.
 *
 * <p>Used by the inference thread only.
 */
public final class SpeculationPlanner {

    /**
     * One sequence as the planner sees it.
     *
     * @param acceptance [j − 1] the estimate of a_j, at least {@code cap} long
     * @param floor the fewest tokens it must draft (the configured minimum, or the initial γ while
     *     it warms up); at most {@code cap}
     * @param cap the most it may draft now: its max_draft_tokens, tokens left, cache room
     */
    public record Candidate(double[] acceptance, int floor, int cap) {

        public Candidate {
            if (floor < 0 || cap < floor || acceptance.length < cap) {
                throw new IllegalArgumentException("need 0 <= floor <= cap <= acceptance.length, got "
                        + floor + ", " + cap + ", " + acceptance.length);
            }
        }

        /** This sequence's bounds from its controller's configuration and the cap that applies now. */
        public static Candidate of(AdaptiveSpeculation speculation, int cap) {
            AdaptiveSpeculation.Config config = speculation.config();
            int wanted = speculation.warmingUp() ? config.initialGamma() : config.minGamma();
            int bounded = Math.max(0, Math.min(cap, config.maxGamma()));
            return new Candidate(speculation.acceptance(), Math.min(wanted, bounded), bounded);
        }
    }

    /** The probe interval grows to at most this many times the configured one. */
    static final int MAX_BACKOFF = 8;

    private final int explorationInterval;
    private int probeInterval;
    private int plansSinceProbe;
    private int lastDepth;

    /** @param explorationInterval probe one position deeper every this many plans; ≥ 1 */
    public SpeculationPlanner(int explorationInterval) {
        if (explorationInterval < 1) {
            throw new IllegalArgumentException("explorationInterval must be >= 1, got " + explorationInterval);
        }
        this.explorationInterval = explorationInterval;
        this.probeInterval = explorationInterval;
    }

    /** γ_i for each candidate, in order, for the next step under the current costs. */
    public int[] plan(List<Candidate> candidates, CostModel cost) {
        int shallowest = candidates.stream().mapToInt(Candidate::floor).max().orElse(0);
        int deepest = candidates.stream().mapToInt(Candidate::cap).max().orElse(0);
        int depth = bestDepth(candidates, cost, shallowest, deepest);
        if (depth > lastDepth) {
            probeInterval = explorationInterval;
        }
        lastDepth = depth;
        if (depth < deepest && ++plansSinceProbe >= probeInterval) {
            plansSinceProbe = 0;
            List<Candidate> perfect = candidates.stream()
                    .map(candidate -> new Candidate(ones(candidate.cap()), candidate.floor(), candidate.cap()))
                    .toList();
            if (bestDepth(perfect, cost, depth, deepest) > depth) {
                depth++;
                probeInterval = Math.min(2 * probeInterval, MAX_BACKOFF * explorationInterval);
            }
        }
        int[] gammas = new int[candidates.size()];
        for (int i = 0; i < gammas.length; i++) {
            gammas[i] = Math.min(depth, candidates.get(i).cap());
        }
        return gammas;
    }

    /** argmax over D in [minDepth, maxDepth] of rate(D); ties go to the shallower D. */
    static int bestDepth(List<Candidate> candidates, CostModel cost, int minDepth, int maxDepth) {
        int best = minDepth;
        double bestRate = rate(candidates, cost, minDepth);
        for (int depth = minDepth + 1; depth <= maxDepth; depth++) {
            double rate = rate(candidates, cost, depth);
            // A relative margin, so that rounding never buys a deeper draft that does not pay.
            if (rate > bestRate * (1 + 1e-9)) {
                best = depth;
                bestRate = rate;
            }
        }
        return best;
    }

    private static double rate(List<Candidate> candidates, CostModel cost, int depth) {
        double tokens = 0;
        for (Candidate candidate : candidates) {
            tokens += AdaptiveSpeculation.expectedTokens(candidate.acceptance(), Math.min(depth, candidate.cap()));
        }
        return tokens / cost.stepCost(depth);
    }

    private static double[] ones(int length) {
        double[] ones = new double[length];
        Arrays.fill(ones, 1.0);
        return ones;
    }
}
