package dev.specd.model.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code ./specd bench projection}'s bookkeeping on a small matrix, not its speed. */
class ProjectionBenchmarkTest {

    private static final int ROWS = 128;
    private static final int COLUMNS = 32;
    private static final long MATRIX_BYTES = ROWS * COLUMNS * 2;

    @Test
    void reportsEveryInputCountWithTheCopiesItsFootprintNeeds() {
        for (long footprint : new long[] {0, MATRIX_BYTES, 3 * MATRIX_BYTES - 1}) {
            List<ProjectionBenchmark.Result> results =
                    new ProjectionBenchmark(ROWS, COLUMNS, footprint, 5, Duration.ZERO).run();
            int copies = (int) Math.max(1, Math.ceilDiv(footprint, MATRIX_BYTES));
            assertEquals(F32Kernels.MAX_INPUTS, results.size());
            for (int i = 0; i < results.size(); i++) {
                ProjectionBenchmark.Result result = results.get(i);
                assertEquals(i + 1, result.inputs());
                assertEquals(copies, result.copies(), "footprint " + footprint);
                assertEquals(copies * MATRIX_BYTES, result.footprintBytes());
                assertTrue(result.medianMicros() > 0, result.toString());
                double columnsOf64PerThread = (double) ROWS * COLUMNS / 64 / WorkerPool.shared().size();
                assertEquals(result.medianMicros() * 1e3 / columnsOf64PerThread, result.nanosPer64WeightsPerThread(),
                        1e-9);
            }
        }
    }

    @Test
    void rejectsEmptyShapesAndNegativeFootprintsOrWarmUps() {
        assertThrows(IllegalArgumentException.class, () -> new ProjectionBenchmark(0, COLUMNS, 0, 5, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new ProjectionBenchmark(ROWS, 0, 0, 5, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new ProjectionBenchmark(ROWS, COLUMNS, -1, 5, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new ProjectionBenchmark(ROWS, COLUMNS, 0, 0, Duration.ZERO));
        assertThrows(IllegalArgumentException.class,
                () -> new ProjectionBenchmark(ROWS, COLUMNS, 0, 5, Duration.ofMillis(-1)));
    }
}
