package dev.specd.querylog;

import java.util.Arrays;
import java.util.Objects;

/**
 * The target's top-k log-probabilities at one generated position, plus the probability mass outside them.
 * This is what distillation needs of the target's distribution: the head exactly, the tail as one bucket.
 * The arrays belong to the record once it is made; callers must not change them afterwards (they are not
 * copied, to keep the serving path cheap).
 *
 * @param tokenIds [k] token ids, most likely first
 * @param logprobs [k] their natural-log probabilities at temperature 1, descending
 * @param tailMass probability of every other token together, in [0, 1]
 */
public record TopLogprobs(int[] tokenIds, float[] logprobs, float tailMass) {

    public TopLogprobs {
        Objects.requireNonNull(tokenIds, "tokenIds");
        Objects.requireNonNull(logprobs, "logprobs");
        if (tokenIds.length != logprobs.length) {
            throw new IllegalArgumentException(
                    tokenIds.length + " token ids but " + logprobs.length + " log-probabilities");
        }
    }

    /**
     * From one row of raw target logits (temperature 1 log-softmax, computed in double): the k most likely
     * tokens, ties to the lower id, descending; tailMass = max(0, 1 − Σ exp(logprobs)).
     *
     * @param k how many tokens to keep; a k above the vocabulary size keeps the whole vocabulary
     * @throws IllegalArgumentException for empty logits, a negative k, a NaN logit or no finite maximum
     */
    public static TopLogprobs fromLogits(float[] logits, int k) {
        Objects.requireNonNull(logits, "logits");
        if (logits.length == 0) {
            throw new IllegalArgumentException("no logits");
        }
        if (k < 0) {
            throw new IllegalArgumentException("k must not be negative, got " + k);
        }
        double logNormalizer = logSumExp(logits);
        int[] ids = TopK.indices(logits, Math.min(k, logits.length));
        float[] logprobs = new float[ids.length];
        double headMass = 0;
        for (int i = 0; i < ids.length; i++) {
            double logprob = logits[ids[i]] - logNormalizer;
            logprobs[i] = (float) logprob;
            headMass += Math.exp(logprob);
        }
        return new TopLogprobs(ids, logprobs, (float) Math.max(0, 1 - headMass));
    }

    /** log Σ exp(x), shifted by the maximum so that no exp overflows. */
    private static double logSumExp(float[] logits) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < logits.length; i++) {
            if (Float.isNaN(logits[i])) {
                throw new IllegalArgumentException("logit " + i + " is NaN");
            }
            max = Math.max(max, logits[i]);
        }
        if (Float.isInfinite(max)) {
            throw new IllegalArgumentException("logits need a finite maximum, got " + max);
        }
        double sum = 0;
        for (float logit : logits) {
            sum += Math.exp((double) logit - max);
        }
        return max + Math.log(sum);
    }

    public int size() {
        return tokenIds.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TopLogprobs that
                && Arrays.equals(tokenIds, that.tokenIds)
                && Arrays.equals(logprobs, that.logprobs)
                && Float.compare(tailMass, that.tailMass) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(tokenIds), Arrays.hashCode(logprobs), tailMass);
    }

    @Override
    public String toString() {
        return "TopLogprobs[tokenIds=" + Arrays.toString(tokenIds) + ", logprobs=" + Arrays.toString(logprobs)
                + ", tailMass=" + tailMass + "]";
    }
}
