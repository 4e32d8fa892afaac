package dev.specd.verifier;

import dev.specd.model.SamplingParams;
import java.util.List;

/**
 * What one completion asks for, in token space.
 *
 * @param maxDraftTokens the most tokens to draft per step for this request (0 turns speculation off)
 */
public record GenerationRequest(int[] prompt, SamplingParams sampling, long seed, int maxTokens,
        List<String> stop, int maxDraftTokens) {

    public GenerationRequest {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt must hold at least one token");
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("max_tokens must be >= 1, got " + maxTokens);
        }
        if (maxDraftTokens < 0) {
            throw new IllegalArgumentException("max_draft_tokens must be >= 0, got " + maxDraftTokens);
        }
        prompt = prompt.clone();
        stop = List.copyOf(stop);
    }
}
