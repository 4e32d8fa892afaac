package dev.specd.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.specd.model.ScoreRequest;
import java.util.List;

/**
 * The padded layout of one batched forward: B sequences, each with its own start position and
 * number of new tokens, padded to T = the longest. Padding rows repeat the sequence's last real
 * token and position; their outputs are never read and their keys never written.
 */
final class ForwardBatch {

    private final List<ScoreRequest> requests;
    private final int paddedLength; // T
    private final int span; // keys attended: the furthest end position in the batch

    /** Over a batch that passed {@link ScoreRequest#checkBatch}. */
    ForwardBatch(List<ScoreRequest> requests) {
        int longest = 0;
        int furthest = 0;
        for (ScoreRequest request : requests) {
            longest = Math.max(longest, request.tokens().length);
            furthest = Math.max(furthest, request.endPosition());
        }
        this.requests = requests;
        this.paddedLength = longest;
        this.span = furthest;
    }

    int size() {
        return requests.size();
    }

    int paddedLength() {
        return paddedLength;
    }

    int span() {
        return span;
    }

    int slot(int i) {
        return requests.get(i).slot();
    }

    int start(int i) {
        return requests.get(i).startPosition();
    }

    int end(int i) {
        return requests.get(i).endPosition();
    }

    int newTokens(int i) {
        return requests.get(i).tokens().length;
    }

    int logitPositions(int i) {
        return requests.get(i).logitPositions();
    }

    /** Token ids [B, T]. */
    NDArray tokens(NDManager manager) {
        long[] ids = new long[size() * paddedLength];
        for (int i = 0; i < size(); i++) {
            int[] tokens = requests.get(i).tokens();
            for (int t = 0; t < paddedLength; t++) {
                ids[i * paddedLength + t] = tokens[Math.min(t, tokens.length - 1)];
            }
        }
        return manager.create(ids, new Shape(size(), paddedLength));
    }

    /** Absolute positions [B, T]. */
    NDArray positions(NDManager manager) {
        long[] positions = new long[size() * paddedLength];
        for (int i = 0; i < size(); i++) {
            for (int t = 0; t < paddedLength; t++) {
                positions[i * paddedLength + t] = start(i) + Math.min(t, newTokens(i) - 1);
            }
        }
        return manager.create(positions, new Shape(size(), paddedLength));
    }

    /**
     * Additive float32 mask [B, 1, 1, T, span]: query t of sequence i sees keys at positions up to
     * its own (start + t). Null when every query may see every key (one new token per sequence,
     * all sequences ending at the span), the usual batch-1 decode step.
     */
    NDArray mask(NDManager manager) {
        boolean needed = paddedLength > 1;
        for (int i = 0; i < size() && !needed; i++) {
            needed = end(i) < span;
        }
        if (!needed) {
            return null;
        }
        float[] mask = new float[size() * paddedLength * span];
        for (int i = 0; i < size(); i++) {
            for (int t = 0; t < paddedLength; t++) {
                int lastVisible = start(i) + Math.min(t, newTokens(i) - 1);
                int row = (i * paddedLength + t) * span;
                for (int key = lastVisible + 1; key < span; key++) {
                    mask[row + key] = Float.NEGATIVE_INFINITY;
                }
            }
        }
        return manager.create(mask, new Shape(size(), 1, 1, paddedLength, span));
    }

    /** Row indices into the flattened [B·T] outputs whose logits are wanted, request by request. */
    long[] logitRows() {
        int total = 0;
        for (int i = 0; i < size(); i++) {
            total += logitPositions(i);
        }
        long[] rows = new long[total];
        int next = 0;
        for (int i = 0; i < size(); i++) {
            for (int t = newTokens(i) - logitPositions(i); t < newTokens(i); t++) {
                rows[next++] = (long) i * paddedLength + t;
            }
        }
        return rows;
    }
}
