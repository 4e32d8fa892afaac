package dev.specd.trainer.online;

import dev.specd.querylog.TopLogprobs;
import java.util.List;

/**
 * Several records laid out for one teacher-forced forward of the draft, as flat row-major arrays.
 *
 * <p>Teacher forcing: the draft reads prompt + output[:-1]; its logits at position t predict token
 * t+1, so positions promptLen−1 … promptLen+outputLen−2 line up with output tokens 0 … outputLen−1.
 * A record longer than {@code maxLength} keeps its first {@code maxLength} tokens (the positions
 * the draft saw when serving) and loses the outputs beyond. Shorter records are right-padded;
 * padding and prompt positions have mask 0.
 */
final class DistillationBatch {

    final int size; // B
    final int length; // T
    final int k; // K, the largest top-k in the batch; buckets = K + 1
    final long[] tokens; // [B, T]
    final float[] mask; // [B, T]: 1 where the position predicts a logged output token
    final long[] ids; // [B, T, K]: the target's top-k ids (0 in padding)
    final float[] idMask; // [B, T, K]: 1 for a real top-k bucket
    final float[] target; // [B, T, K+1]: p over the buckets, top-k then tail, summing to 1
    final long[] top1; // [B, T]: the target's most likely token
    private final int positions;

    private DistillationBatch(List<TrainingRecord> records, int maxLength) {
        int longest = 1;
        int widest = 1;
        for (TrainingRecord record : records) {
            longest = Math.max(longest, inputLength(record, maxLength));
            for (TopLogprobs distribution : record.target()) {
                widest = Math.max(widest, distribution.size());
            }
        }
        size = records.size();
        length = longest;
        k = widest;
        tokens = new long[size * length];
        mask = new float[size * length];
        ids = new long[size * length * k];
        idMask = new float[size * length * k];
        target = new float[size * length * (k + 1)];
        top1 = new long[size * length];
        int filled = 0;
        for (int b = 0; b < size; b++) {
            filled += fill(b, records.get(b), maxLength);
        }
        positions = filled;
    }

    static DistillationBatch of(List<TrainingRecord> records, int maxLength) {
        return new DistillationBatch(records, maxLength);
    }

    /** Tokens the draft reads: prompt + output[:-1], cut to maxLength. */
    private static int inputLength(TrainingRecord record, int maxLength) {
        return Math.min(record.promptLength() + record.outputLength() - 1, maxLength);
    }

    private int fill(int b, TrainingRecord record, int maxLength) {
        int input = inputLength(record, maxLength);
        for (int t = 0; t < input; t++) {
            tokens[b * length + t] = record.token(t);
        }
        int filled = 0;
        for (int j = 0; j < record.outputLength(); j++) {
            int t = record.promptLength() - 1 + j; // the position whose logits predict output j
            if (t < 0) {
                continue; // no prompt: nothing precedes the first output token
            }
            if (t >= input) {
                break;
            }
            TopLogprobs distribution = record.target().get(j);
            int[] topIds = distribution.tokenIds();
            float[] logprobs = distribution.logprobs();
            if (topIds.length == 0) {
                continue; // nothing logged here but the tail: no signal, and no top-1 to match
            }
            int row = b * length + t;
            double covered = 0;
            int best = 0;
            for (int i = 0; i < topIds.length; i++) {
                covered += Math.exp(logprobs[i]);
                best = logprobs[i] > logprobs[best] ? i : best;
            }
            // Renormalise: the logged tail and the top-k rounded separately need not sum to exactly 1.
            double tail = Math.max(0, distribution.tailMass());
            double total = covered + tail;
            for (int i = 0; i < topIds.length; i++) {
                ids[row * k + i] = topIds[i];
                idMask[row * k + i] = 1;
                target[row * (k + 1) + i] = (float) (Math.exp(logprobs[i]) / total);
            }
            target[row * (k + 1) + k] = (float) (tail / total);
            top1[row] = topIds[best];
            mask[row] = 1;
            filled++;
        }
        return filled;
    }

    /** Positions that predict a logged output token. */
    int positions() {
        return positions;
    }
}
