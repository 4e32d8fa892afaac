package dev.specd.model.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tile products against a plain triple loop, for every number of inputs up to two full passes
 * and a remainder (each group size, and 13 = 5 + 4 + 4), at offsets and strides like attention's;
 * bfloat16 products added to y and stored over it. Where {@link NativeTiles} loaded, the bfloat16
 * products run on it; {@code NativeTilesTest} holds it to the Java kernels.
 */
class TileKernelsTest {

    private static final int T = Matrix.TILE_ROWS;
    private static final double TOLERANCE = 1e-4;

    @ParameterizedTest(name = "{0} inputs")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 13})
    void f32TileAtOffsetsAndStridesIsTheProduct(int n) {
        SplittableRandom random = new SplittableRandom(n);
        int columns = 37;
        int step = T + 16; // a column stride wider than the tile, as the values' rows of attention
        int at = 48;
        float[] w = gaussians(random, at + columns * step + T);
        int xAt = 5;
        int xStride = columns + 3;
        float[] x = gaussians(random, xAt + n * xStride);
        int yAt = 7;
        int yStride = T + 9;
        float[] y = gaussians(random, yAt + n * yStride);
        float[] expected = y.clone();
        for (int i = 0; i < n; i++) {
            for (int r = 0; r < T; r++) {
                double sum = 0;
                for (int k = 0; k < columns; k++) {
                    sum += (double) w[at + k * step + r] * x[xAt + i * xStride + k];
                }
                expected[yAt + i * yStride + r] += (float) sum;
            }
        }
        F32Kernels.tile(w, at, step, columns, x, xAt, xStride, n, y, yAt, yStride);
        for (int v = 0; v < y.length; v++) {
            assertEquals(expected[v], y[v], TOLERANCE, "y[" + v + "]");
        }
    }

    /**
     * Two shapes: one and a half tiles by 11 columns (a partial last tile, and an odd count, which
     * leaves a last column to the groups of one and two that walk a tile's columns as two halves),
     * and two whole tiles by 12, where the last tile's loads ahead run past the end of the weights.
     */
    @ParameterizedTest(name = "{0} inputs")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 13})
    void bf16MatrixProductIsTheProductOfTheWidenedWeights(int n) {
        SplittableRandom random = new SplittableRandom(100 + n);
        for (int[] shape : new int[][] {{T + T / 2 + 3, 11}, {2 * T, 12}}) {
            int rows = shape[0];
            int columns = shape[1];
            short[] bits = new short[rows * columns];
            for (int v = 0; v < bits.length; v++) {
                bits[v] = (short) (Float.floatToIntBits((float) random.nextGaussian()) >>> 16);
            }
            Bf16Matrix matrix = Bf16Matrix.tiled(rows, columns, bits);
            float[] x = gaussians(random, n * columns);
            float[] y = gaussians(random, n * rows);
            float[] initial = y.clone();
            float[] expected = y.clone();
            for (int i = 0; i < n; i++) {
                for (int r = 0; r < rows; r++) {
                    double sum = 0;
                    for (int k = 0; k < columns; k++) {
                        sum += (double) Float.intBitsToFloat(bits[r * columns + k] << 16) * x[i * columns + k];
                    }
                    expected[i * rows + r] += (float) sum;
                }
            }
            matrix.multiplyAdd(x, n, y, 0, matrix.tiles());
            for (int v = 0; v < y.length; v++) {
                assertEquals(expected[v], y[v], TOLERANCE, rows + " x " + columns + ", y[" + v + "]");
            }
            float[] product = new float[n * rows];
            Arrays.fill(product, Float.NaN);
            matrix.multiply(x, n, product, 0, matrix.tiles());
            for (int v = 0; v < y.length; v++) {
                assertEquals(expected[v] - initial[v], product[v], TOLERANCE,
                        "y = W·x over what y held: " + rows + " x " + columns + ", y[" + v + "]");
            }
        }
    }

    private static float[] gaussians(SplittableRandom random, int count) {
        float[] values = new float[count];
        for (int v = 0; v < count; v++) {
            values[v] = (float) random.nextGaussian();
        }
        return values;
    }
}
