package dev.specd.model.cpu;

import dev.specd.model.KVCache;
import dev.specd.model.ModelConfig;

/**
 * Keys and values in float32 heap arrays, one per layer and slot, laid out for the two products of
 * attention ({@link Attention}). Keys are [kvHeads][headDim][stride], position fastest, so scores run
 * over positions in whole vectors (the stride is maxLength rounded up to whole vectors; positions
 * past a slot's length hold stale or zero values, computed on and ignored), and an odd number of
 * cache lines, so that the head's rows of keys, read together, spread over the L1 cache's sets
 * instead of piling into a few (a power-of-two stride made scores 1.7× slower). Values are
 * [kvHeads][maxLength][width], dimension fastest, width being headDim rounded up to whole vectors
 * (zero padding), so the weighted sum adds whole vectors of values position by position and never
 * reads past the slot's length. Allocated once; rollback only moves the slot's length.
 */
final class CpuKVCache extends KVCache {

    private final CpuTransformer owner;
    private final float[][][] keys; // [layer][slot][kvHeads · headDim · stride]
    private final float[][][] values; // [layer][slot][kvHeads · maxLength · width]
    private final int stride;
    private final int width;
    private final long bytes;

    CpuKVCache(CpuTransformer owner, int slots, int maxLength, long maxBytes) {
        super(slots, maxLength);
        ModelConfig config = owner.config();
        bytes = checkBounds(config, slots, maxLength, Float.BYTES, maxBytes);
        this.owner = owner;
        int lanes = VectorMath.F.length();
        int line = 64 / Float.BYTES;
        int lines = Math.ceilDiv(Math.ceilDiv(maxLength, lanes) * lanes, line);
        stride = (lines % 2 == 0 ? lines + 1 : lines) * line;
        width = Math.ceilDiv(config.headDim(), lanes) * lanes;
        keys = new float[config.numLayers()][slots][Math.toIntExact((long) config.numKeyValueHeads() * config.headDim() * stride)];
        values = new float[config.numLayers()][slots][Math.toIntExact((long) config.numKeyValueHeads() * maxLength * width)];
    }

    CpuTransformer owner() {
        return owner;
    }

    /** Keys: elements from one (head, dimension) row of positions to the next. */
    int stride() {
        return stride;
    }

    /** Values: elements from one (head, position) row of dimensions to the next. */
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
