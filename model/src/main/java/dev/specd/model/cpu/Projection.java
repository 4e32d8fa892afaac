package dev.specd.model.cpu;

import java.util.Arrays;

/**
 * A linear layer, y = W·x + b, over the n activation rows of a forward: the weight's tiles of rows
 * are shared out across the pool, and each weight is read once for all n inputs. One
 * instance per weight, reused by every forward: the call's operands sit in fields, so a forward
 * allocates nothing.
 */
final class Projection implements WorkerPool.Task {

    /** Chunks per thread: enough for a late thread's share to be taken by the others. */
    private static final int CHUNKS_PER_THREAD = 4;

    private final Matrix weight;
    private final float[] bias; // [rows] or null
    private final WorkerPool pool;
    private final int grain;
    // The call in progress.
    private float[] input;
    private int count;
    private float[] output;
    private boolean accumulate;

    Projection(Matrix weight, float[] bias, WorkerPool pool) {
        if (bias != null && bias.length != weight.rows()) {
            throw new IllegalArgumentException("a bias of " + bias.length + " for " + weight.rows() + " rows");
        }
        this.weight = weight;
        this.bias = bias;
        this.pool = pool;
        grain = Math.max(1, weight.tiles() / (pool.size() * CHUNKS_PER_THREAD));
    }

    /**
     * output[i] = W·input[i] + b for i in [0, n), or output[i] += W·input[i] + b when
     * {@code accumulate} (a residual connection): input is [n][columns], output [n][rows].
     */
    void apply(float[] input, int n, float[] output, boolean accumulate) {
        this.input = input;
        this.count = n;
        this.output = output;
        this.accumulate = accumulate;
        pool.run(this, weight.tiles(), grain);
    }

    /** Output rows of tiles [fromTile, toTile), for every input. */
    @Override
    public void run(int fromTile, int toTile, int worker) {
        int rows = weight.rows();
        int first = fromTile * Matrix.TILE_ROWS;
        int last = Math.min(rows, toTile * Matrix.TILE_ROWS);
        if (!accumulate) {
            for (int i = 0; i < count; i++) {
                Arrays.fill(output, i * rows + first, i * rows + last, 0f);
            }
        }
        weight.multiplyAdd(input, count, output, fromTile, toTile);
        if (bias != null) {
            for (int i = 0; i < count; i++) {
                for (int row = first; row < last; row++) {
                    output[i * rows + row] += bias[row];
                }
            }
        }
    }

    /** Bytes of weights and bias one application reads. */
    long bytes() {
        return weight.bytes() + (bias == null ? 0 : (long) bias.length * Float.BYTES);
    }
}
