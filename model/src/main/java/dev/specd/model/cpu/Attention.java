package dev.specd.model.cpu;

import dev.specd.model.ModelConfig;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Causal grouped-query attention of a forward's rows over their slots' cached keys and values:
 * row i, at position p, attends to positions [0, p] of its own slot. Query head h reads key/value
 * head h / groupSize.
 *
 * <p>The work is shared out by (block, key/value head). A block is up to {@value #BLOCK_ROWS}
 * consecutive rows of one request: a decode step's one row, a verification's γ + 1, a stretch of a
 * prompt. Its queries for the group's heads, up to BLOCK_ROWS · groupSize of them, are the inputs of
 * {@link F32Kernels}' tile products: scores S = Q·Kᵀ over the key tiles of positions (columns are
 * dimensions), then O = P·V over tiles of dimensions (values are [positions][width], so a tile's
 * columns are positions). The cache is what these
 * products wait on, not the arithmetic, and this way a block reads each head's keys and values once,
 * not once per row and query head: verifying five positions costs little more than decoding one.
 *
 * <p>Each item first rotates its group's queries and key to their positions (RoPE) and writes the
 * key and value into the cache, so that this work is shared out too and the rows' queries, keys and
 * values stay in the cache of the core that computed them ({@link #qkvRowOrder}). A prompt split
 * into several blocks is the exception: its blocks read each other's keys, so all are written, in a
 * region of their own, before any block attends.
 */
final class Attention implements WorkerPool.Task {

    /** Rows of one request that share a pass over the cache. */
    static final int BLOCK_ROWS = 8;
    private static final VectorSpecies<Float> F = VectorMath.F;
    private static final int T = Matrix.TILE_ROWS;
    private static final int CHUNKS_PER_THREAD = 4;

    private final WorkerPool pool;
    private final RotaryTable rope;
    private final int heads;
    private final int kvHeads;
    private final int groupSize;
    private final int headDim;
    private final int groupWidth; // a group's queries, key and value in a row of qkv
    private final int qkvWidth;
    private final float scale;
    private final int blockQueries; // BLOCK_ROWS · groupSize
    private final int outputStride; // headDim rounded up to whole tiles
    // Per worker, for one block's queries q = row · groupSize + head in group:
    private final float[][] queries; // [worker][q][headDim], scaled by 1 / sqrt(headDim)
    /**
     * [worker][q][scoreStride], then the attention weights; scoreStride is the longest cache seen so
     * far rounded up to whole tiles, grown on first use rather than sized for the model's whole
     * context (a 131 072-position model would take 16 MB a worker at four queries a group).
     */
    private float[][] scores = new float[0][];
    private int scoreStride;
    private final float[][] outputs; // [worker][q][outputStride]
    /** Block b is rows [blockStart[b], blockStart[b + 1]). */
    private int[] blockStart = new int[2];
    /** Runs of rows of one slot that the last split found: as many as blocks when none took two. */
    private int slotRuns;
    // The call in progress.
    private boolean storing; // items rotate and store their rows' keys and values (else: done before)
    private boolean attending; // items attend (else: only store)
    private CpuKVCache cache;
    private int layer;
    private Activations activations;

    Attention(ModelConfig config, WorkerPool pool) {
        this.pool = pool;
        rope = new RotaryTable(config);
        heads = config.numAttentionHeads();
        kvHeads = config.numKeyValueHeads();
        groupSize = config.kvGroupSize();
        headDim = config.headDim();
        groupWidth = (groupSize + 2) * headDim;
        qkvWidth = kvHeads * groupWidth;
        scale = (float) (1.0 / Math.sqrt(headDim));
        outputStride = Math.ceilDiv(headDim, T) * T;
        blockQueries = BLOCK_ROWS * groupSize;
        queries = new float[pool.size()][blockQueries * headDim];
        outputs = new float[pool.size()][blockQueries * outputStride];
    }

    /**
     * The order of the stacked q, k and v projections' rows (q, then k, then v, as the checkpoint
     * has them) in qkv: grouped by key/value head, each group's query heads, then its key, then its
     * value. The thread that computes a group's tiles of qkv is then, as a rule, the one that
     * attends with them (whichever thread claims the first chunk of the one region usually claims
     * the first item of the next: at five rows the spinning worker took them 88% and 83% of the time),
     * and its queries, key and value do not cross between cores' caches.
     */
    static int[] qkvRowOrder(ModelConfig config) {
        int headDim = config.headDim();
        int groupSize = config.kvGroupSize();
        int kvHeads = config.numKeyValueHeads();
        int qDim = config.numAttentionHeads() * headDim;
        int[] order = new int[qDim + 2 * kvHeads * headDim];
        int row = 0;
        for (int group = 0; group < kvHeads; group++) {
            for (int q = 0; q < groupSize * headDim; q++) {
                order[row++] = group * groupSize * headDim + q;
            }
            for (int k = 0; k < headDim; k++) {
                order[row++] = qDim + group * headDim + k;
            }
            for (int v = 0; v < headDim; v++) {
                order[row++] = qDim + (kvHeads + group) * headDim + v;
            }
        }
        return order;
    }

    /** Fills {@code activations.attended} for rows [0, n) from their queries in {@code activations.qkv}. */
    void apply(CpuKVCache cache, int layer, Activations activations, int n) {
        this.cache = cache;
        this.layer = layer;
        this.activations = activations;
        int stride = Math.ceilDiv(cache.maxLength(), T) * T;
        if (stride > scoreStride) {
            scoreStride = stride;
            scores = new float[pool.size()][blockQueries * stride];
        }
        int blocks = splitIntoBlocks(activations.slot, n);
        int items = blocks * kvHeads;
        int grain = Math.max(1, items / (pool.size() * CHUNKS_PER_THREAD));
        boolean blockPerSlot = blocks == slotRuns;
        if (!blockPerSlot) {
            // A long prompt's blocks read each other's keys: all are stored before any block attends.
            storing = true;
            attending = false;
            pool.run(this, items, grain);
        }
        storing = blockPerSlot;
        attending = true;
        pool.run(this, items, grain);
    }

    /**
     * Splits rows [0, n) into blocks: each run of rows of one slot into as few blocks of at most
     * {@value #BLOCK_ROWS} as it needs, of near-equal sizes. Returns how many; counts the runs in {@link #slotRuns}.
     */
    private int splitIntoBlocks(int[] slot, int n) {
        if (blockStart.length < n + 1) {
            blockStart = new int[n + 1];
        }
        int blocks = 0;
        slotRuns = 0;
        int row = 0;
        while (row < n) {
            slotRuns++;
            int end = row + 1;
            while (end < n && slot[end] == slot[row]) {
                end++;
            }
            for (int left = Math.ceilDiv(end - row, BLOCK_ROWS); left > 0; left--) {
                blockStart[blocks++] = row;
                row += Math.ceilDiv(end - row, left);
            }
        }
        blockStart[blocks] = n;
        return blocks;
    }

    @Override
    public void run(int from, int to, int worker) {
        for (int item = from; item < to; item++) {
            int block = item / kvHeads;
            if (storing) {
                rotateAndStore(blockStart[block], blockStart[block + 1], item % kvHeads);
            }
            if (attending) {
                attend(blockStart[block], blockStart[block + 1], item % kvHeads, worker);
            }
        }
    }

    /**
     * Rotates the queries of {@code kvHead}'s group and its key, for rows [first, end), to their
     * positions, and writes the key and value into the rows' slot.
     */
    private void rotateAndStore(int first, int end, int kvHead) {
        Activations a = activations;
        for (int row = first; row < end; row++) {
            int group = row * qkvWidth + kvHead * groupWidth;
            int position = a.position[row];
            rope.rotate(a.qkv, group, groupSize, position);
            int key = group + groupSize * headDim;
            rope.rotate(a.qkv, key, 1, position);
            float[] keys = cache.keys(layer, a.slot[row]);
            int stored = cache.key(kvHead, position);
            for (int d = 0; d < headDim; d++) {
                keys[stored + d * T] = a.qkv[key + d];
            }
            System.arraycopy(a.qkv, key + headDim, cache.values(layer, a.slot[row]), cache.value(kvHead, position), headDim);
        }
    }

    /** Attention of rows [first, end), all of one slot, for the query heads of {@code kvHead}. */
    private void attend(int first, int end, int kvHead, int worker) {
        float[] q = queries[worker];
        float[] s = scores[worker];
        float[] o = outputs[worker];
        int count = (end - first) * groupSize;
        int span = 0;
        for (int row = first; row < end; row++) {
            span = Math.max(span, activations.position[row] + 1);
            for (int g = 0; g < groupSize; g++) {
                scaleInto(activations.qkv, row * qkvWidth + kvHead * groupWidth + g * headDim, q,
                        ((row - first) * groupSize + g) * headDim);
            }
        }
        int slot = activations.slot[first];
        int tiles = Math.ceilDiv(span, T);
        for (int i = 0; i < count; i++) {
            Arrays.fill(s, i * scoreStride, i * scoreStride + tiles * T, 0f);
        }
        F32Kernels.tiles(cache.keys(layer, slot), cache.keyTile(kvHead, 0), headDim * T, T, headDim, tiles,
                span - (tiles - 1) * T, q, 0, headDim, count, s, 0, scoreStride);
        normalize(s, first, count, span);
        Arrays.fill(o, 0, count * outputStride, 0f);
        int valueTiles = outputStride / T;
        F32Kernels.tiles(cache.values(layer, slot), cache.value(kvHead, 0), T, cache.width(), span, valueTiles,
                headDim - (valueTiles - 1) * T, s, 0, scoreStride, count, o, 0, outputStride);
        for (int i = 0; i < count; i++) {
            int row = first + i / groupSize;
            int head = kvHead * groupSize + i % groupSize;
            System.arraycopy(o, i * outputStride, activations.attended, (row * heads + head) * headDim, headDim);
        }
    }

    /**
     * Each query's scores into its weights over its own positions [0, length), zero from there to the
     * span, over which the weighted sum runs for the whole block. In C where the native kernels load
     * (3.4–4.2 µs less of a five-row forward of the default target, paired in one process).
     */
    private void normalize(float[] s, int first, int count, int span) {
        if (NativeTiles.available()) {
            // A block's rows are consecutive positions of one request: embed gives a request's rows
            // positions start + t, checkBatch takes a slot once a batch, and blocks split only runs of one slot.
            NativeTiles.softmax(s, 0, scoreStride, count, groupSize, activations.position[first] + 1, span);
            return;
        }
        for (int i = 0; i < count; i++) {
            int length = activations.position[first + i / groupSize] + 1;
            VectorMath.softmax(s, i * scoreStride, length);
            Arrays.fill(s, i * scoreStride + length, i * scoreStride + span, 0f);
        }
    }

    /** to[at, at + headDim) = from[offset, offset + headDim) / sqrt(headDim). */
    private void scaleInto(float[] from, int offset, float[] to, int at) {
        int bound = F.loopBound(headDim);
        int d = 0;
        for (; d < bound; d += F.length()) {
            FloatVector.fromArray(F, from, offset + d).mul(scale).intoArray(to, at + d);
        }
        for (; d < headDim; d++) {
            to[at + d] = from[offset + d] * scale;
        }
    }
}
