package dev.specd.model.cpu;

import dev.specd.model.KVCache;
import dev.specd.model.ModelConfig;

/**
 * Keys and values in float32 heap arrays, one per layer and slot, laid out for the two products of
 * {@link Attention}. Keys are in {@link Matrix}'s tiles, T positions by headDim: for each head, tile
 * and dimension, the key's values at T consecutive positions side by side
 * ([kvHeads][⌈maxLength / T⌉][headDim][T]), so that scores run over whole vectors of positions and a
 * tile's keys are one contiguous stream. Values are [kvHeads][maxLength][width], dimension fastest,
 * width being headDim rounded up to whole vectors (zero padding), so the weighted sum adds whole
 * vectors of values position by position. Positions past a slot's length hold stale or zero values,
 * computed on and ignored. The values end in a tile's worth of spare floats, because the weighted
 * sum reads whole tiles of dimensions and ignores what lies past the head. Allocated once; rollback
 * only moves the slot's length.
 */
final class CpuKVCache extends KVCache {

    private static final int T = Matrix.TILE_ROWS;

    private final CpuTransformer owner;
    private final float[][][] keys; // [layer][slot][kvHeads · keyTiles · headDim · T]
    private final float[][][] values; // [layer][slot][kvHeads · maxLength · width]
    private final int headDim;
    private final int keyTiles;
    private final int width;
    private final long bytes;

    CpuKVCache(CpuTransformer owner, int slots, int maxLength, long maxBytes) {
        super(slots, maxLength);
        ModelConfig config = owner.config();
        bytes = checkBounds(config, slots, maxLength, Float.BYTES, maxBytes);
        this.owner = owner;
        headDim = config.headDim();
        keyTiles = Math.ceilDiv(maxLength, T);
        width = Math.ceilDiv(headDim, VectorMath.F.length()) * VectorMath.F.length();
        int kvHeads = config.numKeyValueHeads();
        keys = new float[config.numLayers()][slots][Math.toIntExact((long) kvHeads * keyTiles * headDim * T)];
        values = new float[config.numLayers()][slots][Math.toIntExact((long) kvHeads * maxLength * width + T)];
    }

    CpuTransformer owner() {
        return owner;
    }

    /** Where the key tile of positions [tile·T, tile·T + T) of head {@code kvHead} begins; dimension d is T·d on. */
    int keyTile(int kvHead, int tile) {
        return (kvHead * keyTiles + tile) * headDim * T;
    }

    /** Where the key of head {@code kvHead} at {@code position} begins; dimension d is T·d on. */
    int key(int kvHead, int position) {
        return keyTile(kvHead, position / T) + position % T;
    }

    /** Where the value of head {@code kvHead} at {@code position} begins; its dimensions are contiguous. */
    int value(int kvHead, int position) {
        return (kvHead * maxLength() + position) * width;
    }

    /** Values: elements from one position to the next. */
    int width() {
        return width;
    }

    float[] keys(int layer, int slot) {
        return keys[layer][slot];
    }

    float[] values(int layer, int slot) {
        return values[layer][slot];
    }

    @Override
    public long bytes() {
        return bytes;
    }

    @Override
    public void close() {
        // Heap arrays: the garbage collector frees them with the cache.
    }
}
