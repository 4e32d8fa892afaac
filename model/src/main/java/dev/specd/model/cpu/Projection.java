package dev.specd.model.cpu;

/**
 * A linear layer, y = W·x + b, over the n activation rows of a forward: the weight's tiles of rows
 * are shared out across the pool, and each weight is read once for all n inputs. One
 * instance per weight, reused by every forward: the call's operands sit in fields, so a forward
 * allocates nothing.
 */
final class Projection implements WorkerPool.Task {

    /**
     * One chunk per thread: each thread walks one contiguous run of tiles, which the memory
     * prefetchers stream best, and a late thread's chunk is still taken by one that is done. Four
     * chunks a thread (tiles dealt out in runs of a quarter share) made five inputs from L3 slower
     * (gate_up's shape, {@code ./specd bench projection}, native kernels: 29.1–30.3 against
     * 28.1–28.2 µs) and verification of 5 positions too (0.640–0.643 against 0.605–0.640 ms, three
     * alternating runs of {@code ./specd bench model}), with decode unchanged.
     */
    private static final int CHUNKS_PER_THREAD = 1;

    private final Matrix weight;
    private final float[] bias; // [rows] or null
    private final WorkerPool pool;
    private final int grain;
    // The call in progress.
    private float[] input;
    private WorkerNorm normedInput;
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
        grain = grain(weight.tiles(), pool);
    }

    /** Tiles per chunk of a region over {@code tiles} tiles of weights. */
    static int grain(int tiles, WorkerPool pool) {
        return Math.max(1, tiles / (pool.size() * CHUNKS_PER_THREAD));
    }

    /**
     * output[i] = W·input[i] + b for i in [0, n), or output[i] += W·input[i] + b when
     * {@code accumulate} (a residual connection): input is [n][columns], output [n][rows].
     */
    void apply(float[] input, int n, float[] output, boolean accumulate) {
        region(input, null, n, output, accumulate);
    }

    /** {@link #apply} to the normed rows, which each thread norms for itself. */
    void apply(WorkerNorm input, int n, float[] output, boolean accumulate) {
        region(null, input, n, output, accumulate);
    }

    private void region(float[] input, WorkerNorm normedInput, int n, float[] output, boolean accumulate) {
        this.input = input;
        this.normedInput = normedInput;
        this.count = n;
        this.output = output;
        this.accumulate = accumulate;
        pool.run(this, weight.tiles(), grain);
    }

    /**
     * Output rows of tiles [fromTile, toTile), for every input. Two calls, not one on a conditional
     * input: C2 does not remove the heap segments that wrap an input it merged from two arrays, and a
     * decode step then allocated one per product ({@code CpuTransformerTest}).
     */
    @Override
    public void run(int fromTile, int toTile, int worker) {
        if (normedInput == null) {
            multiply(input, fromTile, toTile);
        } else {
            multiply(normedInput.rows(worker), fromTile, toTile);
        }
    }

    private void multiply(float[] x, int fromTile, int toTile) {
        if (accumulate) {
            weight.multiplyAdd(x, count, output, fromTile, toTile);
        } else {
            weight.multiply(x, count, output, fromTile, toTile);
        }
        if (bias != null) {
            int rows = weight.rows();
            int first = fromTile * Matrix.TILE_ROWS;
            int last = Math.min(rows, toTile * Matrix.TILE_ROWS);
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
