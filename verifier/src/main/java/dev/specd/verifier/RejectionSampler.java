package dev.specd.verifier;

import dev.specd.model.LogitsProcessor;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Speculative sampling (Leviathan et al. 2023; Chen et al. 2023): checks γ drafted tokens against
 * the target's distributions so that the emitted tokens are distributed exactly as if the target
 * had sampled them one at a time.
 *
 * <p>For drafted position i = 1..γ, with target distribution p_i and draft distribution q_i:
 * <ul>
 *   <li>accept x_i with probability min(1, p_i(x_i) / q_i(x_i));
 *   <li>on the first rejection emit a correction drawn from norm(max(0, p_i − q_i)) and stop
 *       (from p_i itself when that residual is numerically all zero, i.e. p_i = q_i);
 *   <li>if all γ are accepted, emit a bonus token drawn from p_{γ+1}.
 * </ul>
 * A step therefore emits acceptedCount + 1 tokens: between 1 and γ + 1. With γ = 0 it is plain
 * sampling from p_1.
 *
 * <p>Greedy decoding needs no separate path. With temperature 0, {@link LogitsProcessor} makes p_i
 * and q_i one-hot, so p_i(x_i) / q_i(x_i) is 1 when x_i is the target's argmax and 0 otherwise, and
 * the residual is one-hot on the target's argmax: "accept while the draft equals the target argmax,
 * then emit the target argmax", and no random number decides anything.
 *
 * <p>Drafters without a distribution (n-gram, prompt lookup) propose deterministically, which is a
 * draft whose q_i is one-hot on x_i. Pass {@code null} for such a row, or for the whole array: x_i
 * is then accepted with probability p_i(x_i) and the correction is drawn from p_i without x_i. The
 * rule stays lossless and nothing vocabulary-sized is allocated for it.
 */
public final class RejectionSampler {

    private RejectionSampler() {}

    /**
     * The outcome of one verification.
     *
     * @param acceptedCount how many drafted tokens, from the first, are kept: 0..γ
     * @param nextToken the correction (after a rejection) or the bonus token (after full acceptance)
     * @param expectedAcceptance [γ] Σ_x min(p_i(x), q_i(x)), the probability that position i is
     *     accepted given its prefix (Leviathan et al.'s α per position). Positions after the first
     *     rejection are included: they are conditioned on the draft's own prefix.
     */
    public record Verdict(int acceptedCount, int nextToken, double[] expectedAcceptance) {

        /** The tokens this step emits: the accepted drafted prefix, then {@link #nextToken}. */
        public int[] emitted(int[] drafted) {
            int[] tokens = Arrays.copyOf(drafted, acceptedCount + 1);
            tokens[acceptedCount] = nextToken;
            return tokens;
        }

        /** This step as the statistics and the γ controller take it. */
        public SpeculationStep step() {
            return new SpeculationStep(expectedAcceptance.length, acceptedCount, expectedAcceptance);
        }
    }

    /**
     * @param drafted [γ] drafted tokens x_1..x_γ, γ ≥ 0
     * @param draftProbabilities [γ][vocab] processed draft distributions q_1..q_γ; {@code null}, or a
     *     {@code null} row, means one-hot on the drafted token (a deterministic proposal)
     * @param targetProbabilities [γ+1][vocab] processed target distributions p_1..p_{γ+1}, row i
     *     conditioned on the context plus x_1..x_{i−1}
     */
    public static Verdict verify(int[] drafted, float[][] draftProbabilities, float[][] targetProbabilities,
            RandomGenerator random) {
        int gamma = drafted.length;
        checkShapes(drafted, draftProbabilities, targetProbabilities);
        double[] expectedAcceptance = new double[gamma];
        for (int i = 0; i < gamma; i++) {
            expectedAcceptance[i] = overlap(targetProbabilities[i], draftRow(draftProbabilities, i), drafted[i]);
        }
        for (int i = 0; i < gamma; i++) {
            float[] p = targetProbabilities[i];
            float[] q = draftRow(draftProbabilities, i);
            int x = drafted[i];
            double px = p[x];
            double qx = q == null ? 1.0 : q[x];
            if (qx <= 0) {
                throw new IllegalArgumentException("drafted token " + x + " at position " + (i + 1)
                        + " has draft probability 0: the draft did not sample it from this distribution");
            }
            // u < p/q with u uniform in [0, 1); p ≥ q accepts without drawing, p = 0 rejects without drawing.
            boolean accepted = px >= qx || (px > 0 && random.nextDouble() * qx < px);
            if (!accepted) {
                return new Verdict(i, sampleResidual(p, q, x, random), expectedAcceptance);
            }
        }
        return new Verdict(gamma, LogitsProcessor.sample(targetProbabilities[gamma], random), expectedAcceptance);
    }

    /** Σ_x min(p(x), q(x)); q == null is one-hot on the drafted token, so the overlap is p(drafted). */
    static double overlap(float[] p, float[] q, int drafted) {
        if (q == null) {
            return p[drafted];
        }
        double total = 0;
        for (int token = 0; token < p.length; token++) {
            total += Math.min(p[token], q[token]);
        }
        return total;
    }

    /** Draws from norm(max(0, p − q)) without materialising it; from p when that is all zero. */
    private static int sampleResidual(float[] p, float[] q, int drafted, RandomGenerator random) {
        double total = 0;
        for (int token = 0; token < p.length; token++) {
            total += residual(p, q, drafted, token);
        }
        if (!(total > 0)) {
            return LogitsProcessor.sample(p, random);
        }
        double threshold = random.nextDouble() * total;
        double cumulative = 0;
        int lastPositive = -1;
        for (int token = 0; token < p.length; token++) {
            double mass = residual(p, q, drafted, token);
            if (mass > 0) {
                cumulative += mass;
                lastPositive = token;
                if (threshold < cumulative) {
                    return token;
                }
            }
        }
        return lastPositive;
    }

    private static double residual(float[] p, float[] q, int drafted, int token) {
        if (q == null) {
            return token == drafted ? 0 : p[token];
        }
        return Math.max(0.0, (double) p[token] - q[token]);
    }

    private static float[] draftRow(float[][] draftProbabilities, int position) {
        return draftProbabilities == null ? null : draftProbabilities[position];
    }

    private static void checkShapes(int[] drafted, float[][] draftProbabilities, float[][] targetProbabilities) {
        int gamma = drafted.length;
        if (targetProbabilities.length != gamma + 1) {
            throw new IllegalArgumentException("verifying " + gamma + " drafted tokens needs " + (gamma + 1)
                    + " target distributions, got " + targetProbabilities.length);
        }
        if (draftProbabilities != null && draftProbabilities.length != gamma) {
            throw new IllegalArgumentException(
                    gamma + " drafted tokens need " + gamma + " draft distributions, got " + draftProbabilities.length);
        }
        int vocab = targetProbabilities[0].length;
        for (int i = 0; i <= gamma; i++) {
            float[] q = i < gamma ? draftRow(draftProbabilities, i) : null;
            if (targetProbabilities[i].length != vocab || (q != null && q.length != vocab)) {
                throw new IllegalArgumentException("distributions at position " + (i + 1)
                        + " do not all have the vocabulary size " + vocab);
            }
            if (i < gamma && (drafted[i] < 0 || drafted[i] >= vocab)) {
                throw new IllegalArgumentException(
                        "drafted token " + drafted[i] + " is outside the vocabulary of " + vocab);
            }
        }
    }
}
