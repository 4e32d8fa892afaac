package dev.specd.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/** Pre-norm residual block: h = x + attention(norm(x)); out = h + feedForward(norm(h)). */
final class TransformerBlock {

    private final RMSNorm attentionNorm;
    private final Attention attention;
    private final RMSNorm feedForwardNorm;
    private final FeedForward feedForward;

    TransformerBlock(RMSNorm attentionNorm, Attention attention, RMSNorm feedForwardNorm, FeedForward feedForward) {
        this.attentionNorm = attentionNorm;
        this.attention = attention;
        this.feedForwardNorm = feedForwardNorm;
        this.feedForward = feedForward;
    }

    /** x [B, T, d] → [B, T, d]. */
    NDArray apply(NDArray x, NDList cosSin, RotaryEmbedding rope, ForwardBatch batch,
            LlamaKVCache cache, int layer, NDArray mask) {
        NDArray h = x.add(attention.apply(attentionNorm.apply(x), cosSin, rope, batch, cache, layer, mask));
        return h.add(feedForward.apply(feedForwardNorm.apply(h)));
    }

    /** x [B, T, d] → [B, T, d] without a cache (training). */
    NDArray apply(NDArray x, NDList cosSin, RotaryEmbedding rope, NDArray causalMask) {
        NDArray h = x.add(attention.apply(attentionNorm.apply(x), cosSin, rope, causalMask));
        return h.add(feedForward.apply(feedForwardNorm.apply(h)));
    }
}
