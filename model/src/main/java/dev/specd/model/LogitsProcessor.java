package dev.specd.model;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Turns one row of logits into the processed distribution that sampling and verification use:
 * temperature, then top-k, then top-p (the order Hugging Face's generate applies them in).
 * Probabilities are computed in double and stored as float; entries outside the kept set are 0.
 */
public final class LogitsProcessor {

    private LogitsProcessor() {}

    /** [vocab] logits → [vocab] probabilities summing to 1 (one-hot on the argmax when greedy). */
    public static float[] probabilities(float[] logits, SamplingParams params) {
        float[] probabilities = new float[logits.length];
        if (params.greedy()) {
            probabilities[argmax(logits)] = 1f;
            return probabilities;
        }
        double inverseTemperature = 1.0 / params.temperature();
        double cutoff = Double.NEGATIVE_INFINITY;
        if (params.topK() > 0 && params.topK() < logits.length) {
            cutoff = kthLargest(logits, params.topK());
        }
        double max = Double.NEGATIVE_INFINITY;
        for (float logit : logits) {
            max = Math.max(max, logit);
        }
        double[] weights = new double[logits.length];
        double total = 0;
        for (int token = 0; token < logits.length; token++) {
            if (logits[token] >= cutoff) {
                weights[token] = Math.exp((logits[token] - max) * inverseTemperature);
                total += weights[token];
            }
        }
        if (params.topP() < 1) {
            total = keepNucleus(weights, total, params.topP());
        }
        for (int token = 0; token < logits.length; token++) {
            probabilities[token] = (float) (weights[token] / total);
        }
        return probabilities;
    }

    /** The first index of the largest logit: ties go to the lower token id, everywhere in specd. */
    public static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Draws a token from a distribution (its entries need not sum exactly to 1). */
    public static int sample(float[] probabilities, RandomGenerator random) {
        double total = 0;
        for (float p : probabilities) {
            total += p;
        }
        double threshold = random.nextDouble() * total;
        double cumulative = 0;
        int lastNonZero = -1;
        for (int token = 0; token < probabilities.length; token++) {
            if (probabilities[token] > 0) {
                cumulative += probabilities[token];
                lastNonZero = token;
                if (threshold < cumulative) {
                    return token;
                }
            }
        }
        if (lastNonZero < 0) {
            throw new IllegalArgumentException("cannot sample from an all-zero distribution");
        }
        return lastNonZero;
    }

    private static double kthLargest(float[] logits, int k) {
        float[] sorted = logits.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length - k];
    }

    /**
     * Zeroes every weight outside the smallest most-likely set whose mass reaches topP and returns
     * the kept mass. Tokens are ordered by weight, ties by lower id first.
     */
    private static double keepNucleus(double[] weights, double total, double topP) {
        int kept = 0;
        long[] order = new long[weights.length];
        for (int token = 0; token < weights.length; token++) {
            if (weights[token] > 0) {
                // Non-negative float bits sort like the values; the inverted id breaks ties toward lower ids.
                float normalized = (float) (weights[token] / total);
                order[kept++] = ((long) Float.floatToIntBits(normalized) << 32) | (Integer.MAX_VALUE - token);
            }
        }
        Arrays.sort(order, 0, kept);
        double cumulative = 0;
        double keptMass = 0;
        int position = kept - 1;
        for (; position >= 0 && cumulative < topP; position--) {
            int token = Integer.MAX_VALUE - (int) order[position];
            cumulative += weights[token] / total;
            keptMass += weights[token];
        }
        for (; position >= 0; position--) {
            weights[Integer.MAX_VALUE - (int) order[position]] = 0;
        }
        return keptMass;
    }
}
