package dev.specd.verifier;

import java.util.Arrays;

/**
 * What one sequence has learned about its drafter: a_j, the probability that drafted position j is
 * accepted given that positions before it were, tracked as an exponentially weighted mean of what
 * verification observed. The {@link SpeculationPlanner} turns every running sequence's estimates and
 * the measured costs into the next step's γ.
 *
 * <p>The configuration bounds γ to [minGamma, maxGamma]. A new sequence's every a_j starts at
 * {@code priorAcceptance}, and for its first {@code warmupSteps} steps it drafts at least
 * {@code initialGamma}; the planner probes one position deeper every {@code explorationInterval}-th
 * step, since only positions 1..accepted+1 are ever observed.
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
    private int observedSteps;

    public AdaptiveSpeculation(Config config) {
        this.config = config;
        this.acceptance = new double[config.maxGamma()];
        Arrays.fill(acceptance, config.priorAcceptance());
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

    public Config config() {
        return config;
    }

    /** Whether this sequence is still in its first {@code warmupSteps} steps, drafting at least initialGamma. */
    public boolean warmingUp() {
        return observedSteps < config.warmupSteps();
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
}
