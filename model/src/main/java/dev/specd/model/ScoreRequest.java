package dev.specd.model;

import java.util.List;

/**
 * One sequence's part of a batched forward: new tokens appended at {@code startPosition} of the
 * sequence held in KV-cache {@code slot}. Decode scores 1 token, verification γ+1, prefill the
 * prompt. Logits come back for the last {@code logitPositions} new tokens only (1 for prefill and
 * decode), since the vocabulary projection of every prompt position would be wasted work.
 *
 * <p>The cache must already hold exactly positions [0, startPosition) of this sequence: starting
 * below its length overwrites (the same as rolling back first), starting above it is refused.
 */
public record ScoreRequest(int slot, int startPosition, int[] tokens, int logitPositions) {

    public ScoreRequest {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("a score request needs at least one new token");
        }
        if (startPosition < 0) {
            throw new IllegalArgumentException("startPosition must be >= 0, got " + startPosition);
        }
        if (logitPositions < 1 || logitPositions > tokens.length) {
            throw new IllegalArgumentException(
                    "logitPositions must be in [1, " + tokens.length + "], got " + logitPositions);
        }
    }

    /** Logits for every new token: verification of a drafted block. */
    public static ScoreRequest allPositions(int slot, int startPosition, int[] tokens) {
        return new ScoreRequest(slot, startPosition, tokens, tokens.length);
    }

    /** Logits for the last new token only: prefill or one decode step. */
    public static ScoreRequest lastPosition(int slot, int startPosition, int[] tokens) {
        return new ScoreRequest(slot, startPosition, tokens, 1);
    }

    /**
     * What every backend checks before a forward touches its cache: at least one request, each slot
     * at most once, every token inside the vocabulary. Allocates nothing: it runs every step.
     */
    public static void checkBatch(List<ScoreRequest> batch, int vocabSize) {
        if (batch.isEmpty()) {
            throw new IllegalArgumentException("a forward needs at least one request");
        }
        for (int i = 0; i < batch.size(); i++) {
            ScoreRequest request = batch.get(i);
            for (int j = 0; j < i; j++) {
                if (batch.get(j).slot() == request.slot()) {
                    throw new IllegalArgumentException("slot " + request.slot() + " appears twice in one batch");
                }
            }
            for (int token : request.tokens()) {
                if (token < 0 || token >= vocabSize) {
                    throw new IllegalArgumentException(
                            "token id " + token + " is outside the vocabulary [0, " + vocabSize + ")");
                }
            }
        }
    }

    public int endPosition() {
        return startPosition + tokens.length;
    }
}
