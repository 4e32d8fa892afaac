package dev.specd.model.cpu;

/**
 * SwiGLU feed-forward over the n rows of a forward, added into the residual:
 * x += down(silu(gate·x̂) ⊙ up·x̂), x̂ the normed rows. gate and up run in one parallel region by
 * tiles of hidden units: a thread computes tiles [a, b) of both and gates them while they are in its
 * cache. With gate and up stacked into one matrix of 2·ffn rows and split in two, one thread had all
 * of gate, the other all of up, and the gating was a serial pass after both (13 µs of a 5-position
 * verification of the default target, 3 µs of a decode step).
 *
 * <p>A thread gates its hidden units tile by tile, each right after its gate and up products, while
 * they are in L1. Gated after all of its tiles, they had left L1 behind the 0.75 MB of weights
 * streamed since: gating a thread's share of five rows took 2.7 µs a layer, tile by tile 1.8 µs.
 */
final class FeedForward implements WorkerPool.Task {

    private final Matrix gate; // [ffn, d]
    private final Matrix up; // [ffn, d]
    private final Projection down; // [d, ffn]
    private final WorkerPool pool;
    private final int grain;
    // The call in progress.
    private WorkerNorm input;
    private int count;
    private float[] hidden;
    private float[] upScratch;

    FeedForward(Matrix gate, Matrix up, Matrix down, WorkerPool pool) {
        if (gate.rows() != up.rows() || gate.columns() != up.columns() || down.columns() != gate.rows()) {
            throw new IllegalArgumentException("gate " + gate.rows() + " x " + gate.columns() + ", up " + up.rows()
                    + " x " + up.columns() + " and down " + down.rows() + " x " + down.columns() + " do not chain");
        }
        this.gate = gate;
        this.up = up;
        this.down = new Projection(down, null, pool);
        this.pool = pool;
        grain = Projection.grain(gate.tiles(), pool);
    }

    /**
     * residual[i] += down(silu(gate·x̂[i]) ⊙ up·x̂[i]) for i in [0, n): x̂ the normed rows of
     * {@code input} ([n][d], each thread norms them for itself), hidden and upScratch [n][ffn]
     * working memory (hidden ends holding the gated hidden state).
     */
    void apply(WorkerNorm input, int n, float[] hidden, float[] upScratch, float[] residual) {
        this.input = input;
        this.count = n;
        this.hidden = hidden;
        this.upScratch = upScratch;
        pool.run(this, gate.tiles(), grain);
        down.apply(hidden, n, residual, true);
    }

    /**
     * Hidden units of tiles [fromTile, toTile), for every input: a tile at a time, but all in one
     * step where the products run on AMX, each of whose calls splits all its inputs anew.
     */
    @Override
    public void run(int fromTile, int toTile, int worker) {
        float[] x = input.rows(worker);
        int step = gate.onAmx(count) ? toTile - fromTile : 1;
        for (int tile = fromTile; tile < toTile; tile += step) {
            int end = Math.min(toTile, tile + step);
            gate.multiply(x, count, hidden, tile, end);
            up.multiply(x, count, upScratch, tile, end);
            VectorMath.swiGlu(hidden, upScratch, count, gate.rows(), tile * Matrix.TILE_ROWS,
                    Math.min(gate.rows(), end * Matrix.TILE_ROWS));
        }
    }

    /** Bytes of weights one application reads. */
    long bytes() {
        return gate.bytes() + up.bytes() + down.bytes();
    }
}
