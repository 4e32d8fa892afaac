package dev.specd.model;

import java.util.List;

/**
 * The narrow interface every backend implements and everything above the model layer uses: score
 * a batch of sequences against their KV-cache slots. A second backend (pure-Java kernels, say)
 * implements this and {@link KVCache} without the verifier or the server changing.
 */
public interface CausalLM extends AutoCloseable {

    ModelConfig config();

    /**
     * A cache of {@code slots} sequences of up to {@code maxLength} positions each, allocated once.
     *
     * @throws IllegalArgumentException if it would exceed {@code maxBytes}
     */
    KVCache newCache(int slots, int maxLength, long maxBytes);

    /**
     * Runs one forward pass over all requests (each with its own start and length, causal inside
     * its new tokens), writes their keys and values into {@code cache} and sets each slot's length
     * to its request's end position.
     *
     * @return per request, [logitPositions][vocab] raw logits (float32)
     */
    List<float[][]> score(KVCache cache, List<ScoreRequest> batch);

    @Override
    void close();
}
