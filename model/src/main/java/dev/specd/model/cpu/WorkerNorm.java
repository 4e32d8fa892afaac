package dev.specd.model.cpu;

/**
 * The RMSNorm of a forward's rows as the input of a parallel region, computed by each thread of the
 * region for itself, into a buffer of its own. Normed once by the calling thread, the rows were
 * written in one core's cache and read from it by the other, line by line, at the start of the
 * product: on this project's machines a line that crosses between cores costs about 16 ns to the
 * reader (128 lines, modified by one thread, then read by the other: 2.1 µs), which a
 * five-row verification pays for each of its 120 lines of normed rows. Each thread reads the
 * residual rows instead, which the last region left half in each core, and norms them itself.
 * Past {@link #ROWS_PER_WORKER} rows (a prompt), where the norms cost more than the lines, the
 * calling thread norms them once for all, and the buffers stay small however many cores there are.
 */
final class WorkerNorm {

    /** Ints between two workers' stamps: a cache line each, so that stamping is no shared write. */
    private static final int STAMP_STRIDE = 16;

    /** Rows each thread norms for itself, at most: decode, verification, batches of them. */
    static final int ROWS_PER_WORKER = 64;

    private final int d;
    private final float[][] buffers; // [worker][min(capacity, ROWS_PER_WORKER) · d]
    private final float[] shared; // [capacity · d] when capacity > ROWS_PER_WORKER, else null
    private final int[] normedCall; // [worker · STAMP_STRIDE]: the call whose rows the worker's buffer holds
    // The call in progress.
    private int call;
    private float[] x;
    private int[] source; // row i normed is row source[i] of x; null: row i
    private int n;
    private float[] weight;
    private float eps;

    WorkerNorm(int workers, int capacity, int d) {
        this.d = d;
        buffers = new float[workers][Math.min(capacity, ROWS_PER_WORKER) * d];
        shared = capacity > ROWS_PER_WORKER ? new float[capacity * d] : null;
        normedCall = new int[workers * STAMP_STRIDE];
    }

    /** Rows [0, n) of x, [n][d], normed with {@code weight} by each thread that asks for them. */
    WorkerNorm of(float[] x, int n, float[] weight, float eps) {
        return of(x, null, n, weight, eps);
    }

    /** Rows source[0 … n) of x, normed into rows [0, n). */
    WorkerNorm of(float[] x, int[] source, int n, float[] weight, float eps) {
        this.x = x;
        this.source = source;
        this.n = n;
        this.weight = weight;
        this.eps = eps;
        call++;
        if (n > ROWS_PER_WORKER) {
            norm(shared);
        }
        return this;
    }

    /**
     * The normed rows, [n][d]: in {@code worker}'s buffer, computed on its first call in a region, or
     * past ROWS_PER_WORKER rows in the one the calling thread filled.
     */
    float[] rows(int worker) {
        if (n > ROWS_PER_WORKER) {
            return shared;
        }
        float[] buffer = buffers[worker];
        if (normedCall[worker * STAMP_STRIDE] != call) {
            norm(buffer);
            normedCall[worker * STAMP_STRIDE] = call;
        }
        return buffer;
    }

    private void norm(float[] into) {
        for (int i = 0; i < n; i++) {
            VectorMath.rmsNorm(x, (source == null ? i : source[i]) * d, weight, eps, into, i * d);
        }
    }
}
