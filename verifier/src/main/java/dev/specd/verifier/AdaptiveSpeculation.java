package dev.specd.verifier;

import java.util.Arrays;

/**
 * Chooses γ for one sequence's next step: the γ in [minGamma, maxGamma] that maximises expected
 * emitted tokens per unit cost,
 * <pre>
 *   E[tokens](γ) = 1 + Σ_{i=1..γ} Π_{j≤i} a_j        cost(γ) = γ · c + verifyCost(γ + 1)
 * </pre>
 * where a_j is the probability that drafted position j is accepted given that positions before it
 * were, tracked as an exponentially weighted mean of what verification observed, and c and
 * verifyCost come from the caller's {@link CostModel}. γ = 0 (plain decoding: 1 token for cost 1)
 * is the fallback that keeps speculation from making serving slower.
 *
 * <p>A new sequence drafts {@code initialGamma} for its first {@code warmupSteps} steps, with every
 * a_j starting at {@code priorAcceptance}. Only positions 1..accepted+1 are observed in a step, so a
 * sequence at γ would never learn about γ + 1 (nor one at 0 about 1): every
 * {@code explorationInterval}-th decision that is not already at maxGamma drafts one position
 * deeper, unless even perfect acceptance would not pay for it at this cost. That is deterministic,
 * and bounds the exploration overhead to one step in {@code explorationInterval}.
 *
 * <p>One instance per sequence and per drafter kind (model and n-gram proposals accept differently);
 * used by the inference thread only.
 */
public final class AdaptiveSpeculation {

    /**
     * @param smoothing weight of a new observation in the exponentially weighted means, in (0, 1]
     * @param explorationInterval probe one position deeper every this many decisions; ≥ 1
     */
    public record Config(int minGamma, int maxGamma, int initialGamma, int warmupSteps, double priorAcceptance,
            double smoothing, int explorationInterval) {

        public Config {
            if (minGamma < 0 || maxGamma < minGamma || initialGamma < minGamma || initialGamma > maxGamma) {
                throw new IllegalArgumentException("need 0 <= minGamma <= initialGamma <= maxGamma, got "
                        + minGamma + ", " + initialGamma + ", " + maxGamma);
            }
            if (warmupSteps < 0 || explorationInterval < 1) {
                throw new IllegalArgumentException("warmupSteps must be >= 0 and explorationInterval >= 1");
            }
            if (!(priorAcceptance >= 0 && priorAcceptance <= 1) || !(smoothing > 0 && smoothing <= 1)) {
                throw new IllegalArgumentException(
                        "priorAcceptance must be in [0, 1] and smoothing in (0, 1], got " + priorAcceptance + ", " + smoothing);
            }
        }
    }

    private final Config config;
    /** [j − 1] a_j: acceptance of drafted position j given positions 1..j−1 were accepted. */
    private final double[] acceptance;
    private final double[] perfectAcceptance;
    private int observedSteps;
    private int decisionsSinceProbe;

    public AdaptiveSpeculation(Config config) {
        this.config = config;
        this.acceptance = new double[config.maxGamma()];
        Arrays.fill(acceptance, config.priorAcceptance());
        this.perfectAcceptance = new double[config.maxGamma()];
        Arrays.fill(perfectAcceptance, 1.0);
    }

    /**
     * A new sequence's controller that starts from what {@code population} (every sequence's steps
     * with this drafter) has learned, rather than from the flat prior: short requests would
     * otherwise spend much of their life relearning that a draft does not pay on this traffic.
     */
    public static AdaptiveSpeculation startingFrom(AdaptiveSpeculation population) {
        AdaptiveSpeculation controller = new AdaptiveSpeculation(population.config);
        System.arraycopy(population.acceptance, 0, controller.acceptance, 0, controller.acceptance.length);
        controller.observedSteps = population.observedSteps;
        return controller;
    }

    /** γ for this sequence's next step under the current costs. */
    public int nextGamma(CostModel cost) {
        if (observedSteps < config.warmupSteps()) {
            return config.initialGamma();
        }
        int best = bestGamma(acceptance, cost, config.minGamma(), config.maxGamma());
        if (best < config.maxGamma() && ++decisionsSinceProbe >= config.explorationInterval()) {
            decisionsSinceProbe = 0;
            if (bestGamma(perfectAcceptance, cost, best, config.maxGamma()) > best) {
                return best + 1;
            }
        }
        return best;
    }

    /**
     * Learns from a verification. Positions 1..accepted+1 (those whose prefix was accepted) are
     * observed: with Σ min(p, q) when the step carries it (the exact acceptance probability, lower
     * variance), else with the accept (1) / reject (0) outcome.
     */
    public void observe(SpeculationStep step) {
        if (step.drafted() > config.maxGamma()) {
            throw new IllegalArgumentException("a step drafted " + step.drafted() + " tokens, past maxGamma " + config.maxGamma());
        }
        observedSteps++;
        int observed = Math.min(step.drafted(), step.accepted() + 1);
        for (int position = 1; position <= observed; position++) {
            double outcome = step.hasExpectedAcceptance()
                    ? step.expectedAcceptanceAt(position)
                    : (position <= step.accepted() ? 1.0 : 0.0);
            acceptance[position - 1] += config.smoothing() * (outcome - acceptance[position - 1]);
        }
    }

    /** [j − 1] the current estimate of a_j. */
    public double[] acceptance() {
        return acceptance.clone();
    }

    /** E[tokens](γ) = 1 + Σ_{i=1..γ} Π_{j≤i} a_j, with acceptance[j − 1] = a_j. */
    public static double expectedTokens(double[] acceptance, int gamma) {
        double tokens = 1;
        double allAccepted = 1;
        for (int i = 0; i < gamma; i++) {
            allAccepted *= acceptance[i];
            tokens += allAccepted;
        }
        return tokens;
    }

    /** argmax over γ in [minGamma, maxGamma] of E[tokens](γ) / cost(γ); ties go to the smaller γ. */
    public static int bestGamma(double[] acceptance, CostModel cost, int minGamma, int maxGamma) {
        int best = minGamma;
        double bestRate = expectedTokens(acceptance, minGamma) / cost.stepCost(minGamma);
        for (int gamma = minGamma + 1; gamma <= maxGamma; gamma++) {
            double rate = expectedTokens(acceptance, gamma) / cost.stepCost(gamma);
            // A relative margin, so that rounding never buys a longer draft that does not pay.
            if (rate > bestRate * (1 + 1e-9)) {
                best = gamma;
                bestRate = rate;
            }
        }
        return best;
    }
}
