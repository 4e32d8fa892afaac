package dev.specd.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.specd.model.ModelConfig;

/**
 * Grouped-query causal self-attention over a preallocated KV cache. Query head h reads key/value
 * head h / groupSize, as Hugging Face's repeat_kv does, without materialising the repeat: queries
 * are viewed as [B, kvHeads, groupSize, T, D] and broadcast against [B, kvHeads, 1, L, D] keys.
 */
final class Attention {

    private final NDArray query; // [heads·D, d]
    private final NDArray key; // [kvHeads·D, d]
    private final NDArray value; // [kvHeads·D, d]
    private final NDArray output; // [d, heads·D]
    private final NDArray queryBias; // [heads·D] or null, and likewise below
    private final NDArray keyBias;
    private final NDArray valueBias;
    private final NDArray outputBias;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final float scale;

    Attention(ModelConfig config, NDArray[] projections, NDArray[] biases) {
        query = projections[0];
        key = projections[1];
        value = projections[2];
        output = projections[3];
        queryBias = biases[0];
        keyBias = biases[1];
        valueBias = biases[2];
        outputBias = biases[3];
        heads = config.numAttentionHeads();
        kvHeads = config.numKeyValueHeads();
        headDim = config.headDim();
        scale = (float) (1.0 / Math.sqrt(headDim));
    }

    /**
     * x [B, T, d] → [B, T, d]. Writes this step's keys and values at each sequence's positions,
     * then attends over positions [0, span) of each sequence's slot.
     *
     * @param mask additive [B, 1, 1, T, span] float32 mask, or null when every query may see every key
     */
    NDArray apply(NDArray x, NDList cosSin, RotaryEmbedding rope, ForwardBatch batch,
            LlamaKVCache cache, int layer, NDArray mask) {
        NDList qkv = project(x, cosSin, rope);
        NDArray k = qkv.get(1);
        NDArray v = qkv.get(2);
        NDArray cachedKeys = cache.keys(layer);
        NDArray cachedValues = cache.values(layer);
        for (int i = 0; i < batch.size(); i++) {
            NDIndex target = new NDIndex("{}, :, {}:{}, :", batch.slot(i), batch.start(i), batch.end(i));
            NDIndex fresh = new NDIndex("{}, :, :{}, :", i, batch.newTokens(i));
            cachedKeys.set(target, k.get(fresh));
            cachedValues.set(target, v.get(fresh));
        }
        return attend(qkv.get(0), gather(cachedKeys, batch), gather(cachedValues, batch), mask, x.getDataType());
    }

    /**
     * x [B, T, d] → [B, T, d] over the sequence itself, no cache: the training forward.
     *
     * @param mask additive causal [1, 1, 1, T, T] float32 mask
     */
    NDArray apply(NDArray x, NDList cosSin, RotaryEmbedding rope, NDArray mask) {
        NDList qkv = project(x, cosSin, rope);
        return attend(qkv.get(0), qkv.get(1), qkv.get(2), mask, x.getDataType());
    }

    /** x [B, T, d] → q [B, heads, T, D], k and v [B, kvHeads, T, D], rotary applied to q and k. */
    private NDList project(NDArray x, NDList cosSin, RotaryEmbedding rope) {
        return new NDList(
                rope.apply(splitHeads(Linear.linear(x, query, queryBias).head(), heads), cosSin),
                rope.apply(splitHeads(Linear.linear(x, key, keyBias).head(), kvHeads), cosSin),
                splitHeads(Linear.linear(x, value, valueBias).head(), kvHeads));
    }

    /** q [B, heads, T, D] over keys and values [B, kvHeads, span, D] → [B, T, d]. */
    private NDArray attend(NDArray q, NDArray keys, NDArray values, NDArray mask, DataType computeType) {
        long b = q.getShape().get(0);
        long t = q.getShape().get(2);
        int groupSize = heads / kvHeads;
        NDArray groupedQueries = q.reshape(b, kvHeads, groupSize, t, headDim);
        NDArray scores = groupedQueries.matMul(keys.expandDims(2).transpose(0, 1, 2, 4, 3))
                .toType(DataType.FLOAT32, false)
                .mul(scale); // [B, kvHeads, groupSize, T, span]
        if (mask != null) {
            scores = scores.add(mask);
        }
        NDArray weights = scores.softmax(-1).toType(computeType, false);
        NDArray context = weights.matMul(values.expandDims(2)) // [B, kvHeads, groupSize, T, D]
                .reshape(b, heads, t, headDim)
                .transpose(0, 2, 1, 3)
                .reshape(b, t, (long) heads * headDim);
        return Linear.linear(context, output, outputBias).head();
    }

    /** [B, T, n·D] → [B, n, T, D]. */
    private NDArray splitHeads(NDArray projected, int count) {
        Shape shape = projected.getShape();
        return projected.reshape(shape.get(0), shape.get(1), count, headDim).transpose(0, 2, 1, 3);
    }

    /** The first {@code span} cached positions of each sequence's slot: [B, kvHeads, span, D]. */
    private static NDArray gather(NDArray cached, ForwardBatch batch) {
        if (batch.size() == 1) {
            return cached.get(new NDIndex("{}:{}, :, :{}, :", batch.slot(0), batch.slot(0) + 1, batch.span()));
        }
        NDList slots = new NDList(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            slots.add(cached.get(new NDIndex("{}, :, :{}, :", batch.slot(i), batch.span())));
        }
        return NDArrays.stack(slots);
    }
}
