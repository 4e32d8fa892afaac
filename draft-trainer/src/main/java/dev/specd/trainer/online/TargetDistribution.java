package dev.specd.trainer.online;

import java.util.Arrays;

/**
 * The target's temperature-1 distribution at one generated position as the query log keeps it:
 * the k most likely token ids with their log-probabilities, and the probability mass of every other
 * token as one tail bucket. The trainer compares distributions on these k+1 buckets.
 *
 * @param tokenIds the top-k token ids, most likely first
 * @param logprobs their log-probabilities (natural log), same order
 * @param tailMass 1 − Σ exp(logprobs), the mass outside the top k
 */
public record TargetDistribution(int[] tokenIds, float[] logprobs, float tailMass) {

    public TargetDistribution {
        if (tokenIds.length != logprobs.length || tokenIds.length == 0) {
            throw new IllegalArgumentException("need k >= 1 ids with one log-probability each, got "
                    + tokenIds.length + " ids and " + logprobs.length + " log-probabilities");
        }
        tokenIds = tokenIds.clone();
        logprobs = logprobs.clone();
    }

    /** The top-k of {@code logits} after a temperature-1 log-softmax, as serving logs it. */
    public static TargetDistribution fromLogits(float[] logits, int k) {
        int top = Math.min(k, logits.length);
        double max = Double.NEGATIVE_INFINITY;
        for (float logit : logits) {
            max = Math.max(max, logit);
        }
        double sum = 0;
        for (float logit : logits) {
            sum += Math.exp(logit - max);
        }
        double logNormaliser = max + Math.log(sum);
        Integer[] order = new Integer[logits.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> Float.compare(logits[b], logits[a]));
        int[] ids = new int[top];
        float[] logprobs = new float[top];
        double covered = 0;
        for (int i = 0; i < top; i++) {
            ids[i] = order[i];
            logprobs[i] = (float) (logits[ids[i]] - logNormaliser);
            covered += Math.exp(logprobs[i]);
        }
        return new TargetDistribution(ids, logprobs, (float) Math.max(0, 1 - covered));
    }

    public int k() {
        return tokenIds.length;
    }

    /** The target's most likely token (what greedy decoding emits). */
    public int top1() {
        int best = 0;
        for (int i = 1; i < logprobs.length; i++) {
            if (logprobs[i] > logprobs[best]) {
                best = i;
            }
        }
        return tokenIds[best];
    }

    @Override
    public int[] tokenIds() {
        return tokenIds.clone();
    }

    @Override
    public float[] logprobs() {
        return logprobs.clone();
    }

    int tokenId(int i) {
        return tokenIds[i];
    }

    float logprob(int i) {
        return logprobs[i];
    }
}
