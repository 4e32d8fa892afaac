package dev.specd.model.cpu;

import dev.specd.model.bench.ModelBenchmark;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What verification costs in the java backend's matrix products: one random bfloat16 [rows, columns]
 * projection applied to 1 … {@link F32Kernels#MAX_INPUTS} inputs on the shared pool, with a given
 * weight footprint. A footprint of one matrix keeps the weights in cache, so the time is the
 * arithmetic alone; a footprint of many copies, cycled through, streams them from L3 or from memory
 * as a forward does, so the time is arithmetic and memory traffic together. Run by
 * {@code ./specd bench projection}; docs/architecture.md ("CPU backend") reads its numbers.
 */
public final class ProjectionBenchmark {

    /** The default target's gate and up projections together: the weights one feed-forward region reads. */
    public static final int DEFAULT_ROWS = 2048;
    public static final int DEFAULT_COLUMNS = 384;

    /** Median microseconds of one application to {@code inputs} inputs, with {@code copies} matrices in turn. */
    public record Result(int inputs, long footprintBytes, int copies, double medianMicros,
            double nanosPer64WeightsPerThread) {}

    private final int rows;
    private final int columns;
    private final int iterations;
    private final Duration warmup;
    private final Projection[] copies;

    /**
     * Builds enough copies of one random matrix to cover {@code footprintBytes} (at least one). Each
     * measurement runs for {@code warmup} first, so that it times compiled kernels.
     */
    public ProjectionBenchmark(int rows, int columns, long footprintBytes, int iterations, Duration warmup) {
        if (rows <= 0 || columns <= 0 || iterations <= 0 || footprintBytes < 0 || warmup.isNegative()) {
            throw new IllegalArgumentException("rows, columns and iterations must be positive, the footprint and "
                    + "warm-up not negative: rows " + rows + ", columns " + columns + ", iterations " + iterations
                    + ", footprint " + footprintBytes + " bytes, warm-up " + warmup.toMillis() + " ms");
        }
        this.rows = rows;
        this.columns = columns;
        this.iterations = iterations;
        this.warmup = warmup;
        SplittableRandom random = new SplittableRandom(1);
        short[] bf16 = new short[rows * columns];
        for (int i = 0; i < bf16.length; i++) {
            bf16[i] = (short) (Float.floatToIntBits((float) random.nextGaussian() * 0.05f) >>> 16);
        }
        Bf16Matrix matrix = Bf16Matrix.tiled(rows, columns, bf16);
        int count = (int) Math.max(1, Math.ceilDiv(footprintBytes, matrix.bytes()));
        copies = new Projection[count];
        for (int i = 0; i < count; i++) {
            int[] values = i == 0 ? matrix.values() : matrix.values().clone();
            copies[i] = new Projection(new Bf16Matrix(rows, columns, values), null, WorkerPool.shared());
        }
    }

    /** One result per input count, 1 … MAX_INPUTS. */
    public List<Result> run() {
        SplittableRandom random = new SplittableRandom(2);
        float[] input = new float[F32Kernels.MAX_INPUTS * columns];
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) random.nextGaussian();
        }
        float[] output = new float[F32Kernels.MAX_INPUTS * rows];
        long bytes = copies.length * copies[0].bytes();
        List<Result> results = new ArrayList<>();
        for (int inputs = 1; inputs <= F32Kernels.MAX_INPUTS; inputs++) {
            int count = inputs;
            int[] next = {0};
            double median = 1e3 * ModelBenchmark.medianMillis(warmup, iterations,
                    () -> copies[next[0]++ % copies.length].apply(input, count, output, false));
            double columnsOf64PerThread = (double) rows * columns / 64 / WorkerPool.shared().size();
            results.add(new Result(inputs, bytes, copies.length, median, median * 1e3 / columnsOf64PerThread));
        }
        return results;
    }
}
