package dev.specd.model.cpu;

import dev.specd.model.ModelConfig;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Causal grouped-query attention of a forward's rows over their slots' cached keys and values:
 * row i, at position p, attends to positions [0, p] of its own slot, which already hold this
 * forward's new keys and values. Query head h reads key/value head h / groupSize. The work is
 * shared out by (row, key/value head), each item serving the group's query heads.
 *
 * <p>Both products avoid horizontal sums ({@link CpuKVCache} lays keys and values out for them):
 * scores for four vectors of positions at a time, summed over the head's dimensions in registers;
 * the output a vector of dimensions at a time, summed over positions.
 */
final class Attention implements WorkerPool.Task {

    private static final VectorSpecies<Float> F = VectorMath.F;
    private static final int L = F.length();
    private static final int CHUNKS_PER_THREAD = 4;

    private final WorkerPool pool;
    private final int heads;
    private final int kvHeads;
    private final int groupSize;
    private final int headDim;
    private final int qkvWidth;
    private final float scale;
    private final float[][] weights; // [worker][contextLength rounded up to whole vectors]
    private final float[][] contexts; // [worker][headDim rounded up to whole vectors]
    // The call in progress.
    private CpuKVCache cache;
    private int layer;
    private Activations activations;

    Attention(ModelConfig config, WorkerPool pool) {
        this.pool = pool;
        heads = config.numAttentionHeads();
        kvHeads = config.numKeyValueHeads();
        groupSize = config.kvGroupSize();
        headDim = config.headDim();
        qkvWidth = (heads + 2 * kvHeads) * headDim;
        scale = (float) (1.0 / Math.sqrt(headDim));
        weights = new float[pool.size()][Math.ceilDiv(config.contextLength(), L) * L];
        contexts = new float[pool.size()][Math.ceilDiv(headDim, L) * L];
    }

    /** Fills {@code activations.attended} for rows [0, n) from their queries in {@code activations.qkv}. */
    void apply(CpuKVCache cache, int layer, Activations activations, int n) {
        this.cache = cache;
        this.layer = layer;
        this.activations = activations;
        int items = n * kvHeads;
        pool.run(this, items, Math.max(1, items / (pool.size() * CHUNKS_PER_THREAD)));
    }

    @Override
    public void run(int from, int to, int worker) {
        float[] p = weights[worker];
        float[] context = contexts[worker];
        int stride = cache.stride();
        int width = cache.width();
        int maxLength = cache.maxLength();
        float[] qkv = activations.qkv;
        for (int item = from; item < to; item++) {
            int row = item / kvHeads;
            int kvHead = item % kvHeads;
            int slot = activations.slot[row];
            int length = activations.position[row] + 1;
            float[] keys = cache.keys(layer, slot);
            float[] values = cache.values(layer, slot);
            for (int head = kvHead * groupSize; head < (kvHead + 1) * groupSize; head++) {
                scores(qkv, row * qkvWidth + head * headDim, keys, kvHead * headDim * stride, stride, p,
                        Math.ceilDiv(length, L) * L);
                VectorMath.softmax(p, length);
                weightedSum(p, length, values, kvHead * maxLength * width, width, context);
                System.arraycopy(context, 0, activations.attended, row * heads * headDim + head * headDim, headDim);
            }
        }
    }

    /** s[t] = (q · k_t) / sqrt(headDim) for positions [0, padded), a multiple of the vector length. */
    private void scores(float[] q, int query, float[] keys, int base, int stride, float[] s, int padded) {
        int t = 0;
        for (; t + 4 * L <= padded; t += 4 * L) {
            FloatVector s0 = FloatVector.zero(F);
            FloatVector s1 = FloatVector.zero(F);
            FloatVector s2 = FloatVector.zero(F);
            FloatVector s3 = FloatVector.zero(F);
            for (int d = 0, k = base + t; d < headDim; d++, k += stride) {
                FloatVector qd = FloatVector.broadcast(F, q[query + d] * scale);
                s0 = FloatVector.fromArray(F, keys, k).fma(qd, s0);
                s1 = FloatVector.fromArray(F, keys, k + L).fma(qd, s1);
                s2 = FloatVector.fromArray(F, keys, k + 2 * L).fma(qd, s2);
                s3 = FloatVector.fromArray(F, keys, k + 3 * L).fma(qd, s3);
            }
            s0.intoArray(s, t);
            s1.intoArray(s, t + L);
            s2.intoArray(s, t + 2 * L);
            s3.intoArray(s, t + 3 * L);
        }
        for (; t < padded; t += L) {
            FloatVector s0 = FloatVector.zero(F);
            for (int d = 0, k = base + t; d < headDim; d++, k += stride) {
                s0 = FloatVector.fromArray(F, keys, k).fma(FloatVector.broadcast(F, q[query + d] * scale), s0);
            }
            s0.intoArray(s, t);
        }
    }

    /**
     * out[0, width) = Σ_{t < length} p[t] · v_t, a vector of dimensions at a time, four positions
     * into four independent sums.
     */
    private static void weightedSum(float[] p, int length, float[] values, int base, int width, float[] out) {
        for (int c = 0; c < width; c += L) {
            FloatVector o0 = FloatVector.zero(F);
            FloatVector o1 = FloatVector.zero(F);
            FloatVector o2 = FloatVector.zero(F);
            FloatVector o3 = FloatVector.zero(F);
            int t = 0;
            for (int v = base + c; t + 4 <= length; t += 4, v += 4 * width) {
                o0 = FloatVector.fromArray(F, values, v).fma(FloatVector.broadcast(F, p[t]), o0);
                o1 = FloatVector.fromArray(F, values, v + width).fma(FloatVector.broadcast(F, p[t + 1]), o1);
                o2 = FloatVector.fromArray(F, values, v + 2 * width).fma(FloatVector.broadcast(F, p[t + 2]), o2);
                o3 = FloatVector.fromArray(F, values, v + 3 * width).fma(FloatVector.broadcast(F, p[t + 3]), o3);
            }
            for (; t < length; t++) {
                o0 = FloatVector.fromArray(F, values, base + t * width + c).fma(FloatVector.broadcast(F, p[t]), o0);
            }
            o0.add(o1).add(o2.add(o3)).intoArray(out, c);
        }
    }
}
