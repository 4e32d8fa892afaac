package dev.specd.model.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The native tile kernels give bit for bit the Java kernels' sums ({@link Bf16Kernels#tile} and
 * {@link F32Kernels#tile}, tile by tile), for every group size, passes of more than six inputs, odd
 * and even column counts and a range of tiles inside a matrix; a bfloat16 product that is not
 * accumulated neither reads nor needs y, and a float32 one cut short leaves the rest of y alone.
 * The library is built with the model module wherever a C compiler is present, as on this project's
 * machines, so on x86-64 Linux with AVX-512 it must have loaded. The AMX kernel, which serves
 * products of many inputs where the CPU has AMX-BF16 (as this project's machines do), sums in
 * another order: it is held to the exact sums instead.
 */
class NativeTilesTest {

    private static final int T = Matrix.TILE_ROWS;

    @BeforeEach
    void onlyWhereTheLibraryApplies() {
        assumeTrue(Matrix.F.length() == 16 && System.getProperty("os.name").equals("Linux")
                && System.getProperty("os.arch").equals("amd64"), "the native kernels assume x86-64 Linux with AVX-512");
    }

    @Test
    void loadsOnThisMachine() {
        assertTrue(NativeTiles.available(),
                "no native tile kernels: was the model module built without a C compiler (cc), or with -D"
                        + NativeTiles.ENABLED_PROPERTY + "=false?");
    }

    @ParameterizedTest(name = "{0} inputs")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 13})
    void sumsAreBitForBitTheJavaKernels(int n) {
        assumeTrue(NativeTiles.available());
        SplittableRandom random = new SplittableRandom(200 + n);
        for (int columns : new int[] {11, 12, 384}) {
            int rows = 4 * T;
            Bf16Matrix matrix = randomMatrix(random, rows, columns);
            float[] x = gaussians(random, n * columns);
            float[] y = gaussians(random, n * rows);
            float[] expected = y.clone();
            for (int tile = 1; tile < 3; tile++) {
                Bf16Kernels.tile(matrix.values(), columns, rows, tile, x, n, expected);
            }
            NativeTiles.multiplyAvx512(matrix.values(), columns, rows, 1, 3, x, n, y, true);
            assertArrayEquals(expected, y, columns + " columns: tiles 1 and 2 added, the others untouched");
        }
    }

    @ParameterizedTest(name = "{0} inputs")
    @ValueSource(ints = {1, 5, 7})
    void aProductNotAccumulatedOverwritesWhatYHeld(int n) {
        assumeTrue(NativeTiles.available());
        SplittableRandom random = new SplittableRandom(300 + n);
        int rows = 2 * T;
        int columns = 33;
        Bf16Matrix matrix = randomMatrix(random, rows, columns);
        float[] x = gaussians(random, n * columns);
        float[] expected = new float[n * rows];
        for (int tile = 0; tile < 2; tile++) {
            Bf16Kernels.tile(matrix.values(), columns, rows, tile, x, n, expected);
        }
        float[] y = new float[n * rows];
        Arrays.fill(y, Float.NaN);
        NativeTiles.multiplyAvx512(matrix.values(), columns, rows, 0, 2, x, n, y, false);
        assertArrayEquals(expected, y);
    }

    /**
     * Three tiles at attention's offsets and strides (a column stride wider than a tile, as the
     * values' rows), the last cut to 35 rows: the native kernels sum the first three vectors of it,
     * bit for bit as the Java kernels do, and leave the fourth as it was.
     */
    @ParameterizedTest(name = "{0} inputs")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 13})
    void f32SumsAreBitForBitTheJavaKernels(int n) {
        assumeTrue(NativeTiles.available());
        SplittableRandom random = new SplittableRandom(400 + n);
        int columns = 37;
        int step = T + 16;
        int tileStep = columns * step + 8;
        int tiles = 3;
        int lastRows = 2 * 16 + 3;
        int at = 48;
        float[] w = gaussians(random, at + tiles * tileStep);
        int xAt = 5;
        int xStride = columns + 3;
        float[] x = gaussians(random, xAt + n * xStride);
        int yAt = 7;
        int yStride = tiles * T + 9;
        float[] y = gaussians(random, yAt + n * yStride);
        float[] initial = y.clone();
        float[] expected = y.clone();
        for (int tile = 0; tile < tiles; tile++) {
            F32Kernels.tile(w, at + tile * tileStep, step, columns, x, xAt, xStride, n, expected, yAt + tile * T,
                    yStride);
        }
        NativeTiles.multiply(w, at, tileStep, step, columns, tiles, lastRows, x, xAt, xStride, n, y, yAt, yStride);
        int computed = (tiles - 1) * T + 3 * 16;
        for (int i = 0; i < n; i++) {
            for (int r = 0; r < tiles * T; r++) {
                int v = yAt + i * yStride + r;
                assertEquals(Float.floatToRawIntBits(r < computed ? expected[v] : initial[v]),
                        Float.floatToRawIntBits(y[v]), "input " + i + ", row " + r);
            }
        }
    }

    @Test
    void amxServesWhereTheCpuHasIt() throws IOException {
        assumeTrue(NativeTiles.available() && Boolean.parseBoolean(System.getProperty(NativeTiles.AMX_PROPERTY, "true")),
                "the native kernels, AMX among them, are on");
        Path cpuinfo = Path.of("/proc/cpuinfo");
        assumeTrue(Files.exists(cpuinfo));
        String flags = Files.readString(cpuinfo);
        assumeTrue(flags.contains(" amx_bf16") && flags.contains(" amx_tile"), "this CPU has no AMX-BF16");
        assertTrue(NativeTiles.amx(), "the CPU has AMX-BF16 but the AMX kernel does not serve (see the log)");
    }

    /**
     * Each row of W holds one power of two, so y[i][r] = 2^e · x[i][c] is exact: the three bfloat16
     * parts of each input must add up to it bit for bit, its last bit of significand included.
     */
    @ParameterizedTest(name = "{0} inputs")
    @ValueSource(ints = {1, 8, 16, 17, 40, 300})
    void amxIsExactWhereEverySumIsExact(int n) {
        assumeTrue(NativeTiles.amx());
        SplittableRandom random = new SplittableRandom(500 + n);
        int rows = 3 * T;
        int columns = 112;
        short[] bits = new short[rows * columns];
        int[] column = new int[rows];
        int[] exponent = new int[rows];
        for (int r = 0; r < rows; r++) {
            column[r] = random.nextInt(columns);
            exponent[r] = random.nextInt(-3, 4);
            bits[r * columns + column[r]] = (short) (Float.floatToIntBits(Math.scalb(1f, exponent[r])) >>> 16);
        }
        float[] x = gaussians(random, n * columns);
        float[] y = gaussians(random, n * rows);
        assertTrue(NativeTiles.multiplyAmx(Bf16Matrix.tiled(rows, columns, bits).values(), columns, rows, 0, 3, x, n, y,
                false));
        for (int i = 0; i < n; i++) {
            for (int r = 0; r < rows; r++) {
                assertEquals(Math.scalb(x[i * columns + column[r]], exponent[r]), y[i * rows + r],
                        "input " + i + ", row " + r);
            }
        }
    }

    /**
     * The native softmax of a block of five rows of three query heads, whose rows are consecutive
     * positions: each query's weights within float32 rounding of exp(s − max) / Σ exp(s − max)
     * computed in double (16 ulp, and the rounding of s − max), for lengths that end inside a
     * vector, on its end and past it, with scores spread so that some weights underflow; zero from
     * each row's length to the span, and nothing else touched.
     */
    @ParameterizedTest(name = "first length {0}")
    @ValueSource(ints = {1, 14, 16, 17, 129, 1000})
    void softmaxGivesTheExactWeightsToFloat32Rounding(int firstLength) {
        assumeTrue(NativeTiles.available());
        SplittableRandom random = new SplittableRandom(800 + firstLength);
        int groupSize = 3;
        int count = 5 * groupSize;
        int span = firstLength + 4;
        int stride = span + 7;
        int at = 5;
        float[] s = new float[at + count * stride];
        for (int v = 0; v < s.length; v++) {
            s[v] = (float) (random.nextGaussian() * 30);
        }
        float[] before = s.clone();
        NativeTiles.softmax(s, at, stride, count, groupSize, firstLength, span);
        for (int v = 0; v < at; v++) {
            assertEquals(before[v], s[v], "before the first row");
        }
        for (int i = 0; i < count; i++) {
            int row = at + i * stride;
            int length = firstLength + i / groupSize;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < length; j++) {
                max = Math.max(max, before[row + j]);
            }
            double sum = 0;
            for (int j = 0; j < length; j++) {
                sum += Math.exp(before[row + j] - max);
            }
            for (int j = 0; j < stride; j++) {
                String where = "query " + i + ", position " + j;
                if (j < length) {
                    double argument = before[row + j] - max;
                    double exact = Math.exp(argument) / sum;
                    // float32's s − max is off by up to |s − max| · 2^-24, and so, relatively, is its exp.
                    assertEquals(exact, s[row + j], (Math.abs(argument) + 16) * 0x1p-24 * exact + 1e-37, where);
                } else if (j < span) {
                    assertEquals(0f, s[row + j], where + ": past the query's own positions");
                } else {
                    assertEquals(before[row + j], s[row + j], where + ": past the span, untouched");
                }
            }
        }
    }

    /** A NaN score makes its query's whole row of weights NaN, wherever it sits, as the Java softmax does. */
    @Test
    void aNanScoreMakesItsWholeRowNan() {
        assumeTrue(NativeTiles.available());
        int length = 33;
        for (int nanAt : new int[] {0, 3, 15, 16, 19, 32}) {
            float[] s = new float[length];
            for (int j = 0; j < length; j++) {
                s[j] = j * 0.1f;
            }
            s[nanAt] = Float.NaN;
            float[] java = s.clone();
            NativeTiles.softmax(s, 0, length, 1, 1, length, length);
            VectorMath.softmax(java, 0, length);
            for (int j = 0; j < length; j++) {
                assertTrue(Float.isNaN(s[j]), "NaN at " + nanAt + ": weight " + j + " is " + s[j]);
                assertTrue(Float.isNaN(java[j]), "the Java softmax, NaN at " + nanAt + ": weight " + j);
            }
        }
    }

    /**
     * A matrix says its products of eight inputs or more run on AMX where AMX serves, so that
     * {@link FeedForward} gives such a product all its tiles in one call; never a float32 matrix.
     */
    @Test
    void bfloat16MatricesSayWhichProductsRunOnAmx() {
        Bf16Matrix bf16 = randomMatrix(new SplittableRandom(750), T, 16);
        assertFalse(bf16.onAmx(NativeTiles.AMX_MIN_INPUTS - 1));
        assertEquals(NativeTiles.amx(), bf16.onAmx(NativeTiles.AMX_MIN_INPUTS));
        assertEquals(NativeTiles.amx(), bf16.onAmx(256));
        assertFalse(F32Matrix.tiled(T, 16, new float[T * 16]).onAmx(256));
    }

    /** Products of seven inputs run on the AVX-512 kernel, of eight on AMX, where it serves. */
    @Test
    void productsOfEightInputsOrMoreRunOnAmx() {
        assumeTrue(NativeTiles.amx());
        SplittableRandom random = new SplittableRandom(700);
        int rows = 2 * T;
        int columns = 112;
        Bf16Matrix matrix = randomMatrix(random, rows, columns);
        for (int n : new int[] {NativeTiles.AMX_MIN_INPUTS - 1, NativeTiles.AMX_MIN_INPUTS}) {
            float[] x = gaussians(random, n * columns);
            float[] routed = new float[n * rows];
            float[] direct = new float[n * rows];
            NativeTiles.multiply(matrix.values(), columns, rows, 0, 2, x, n, routed, false);
            if (n < NativeTiles.AMX_MIN_INPUTS) {
                NativeTiles.multiplyAvx512(matrix.values(), columns, rows, 0, 2, x, n, direct, false);
            } else {
                assertTrue(NativeTiles.multiplyAmx(matrix.values(), columns, rows, 0, 2, x, n, direct, false));
            }
            assertArrayEquals(direct, routed, n + " inputs");
            if (n >= NativeTiles.AMX_MIN_INPUTS) {
                float[] avx512 = new float[n * rows];
                NativeTiles.multiplyAvx512(matrix.values(), columns, rows, 0, 2, x, n, avx512, false);
                assertFalse(Arrays.equals(avx512, routed), "the two kernels' sums differ, so the route shows");
            }
        }
    }

    /**
     * On random weights, within float32 rounding of the exact sums (each of the 3·columns + 1
     * additions rounds by at most 2^-24 of a partial sum), for columns that fill no whole step of 32,
     * passes of more than 16 inputs, added to y or not, and rows outside the tiles asked for left as
     * they were.
     */
    @ParameterizedTest(name = "{0} inputs")
    @ValueSource(ints = {1, 5, 8, 13, 16, 17, 33})
    void amxSumsAreFloat32RoundingsOfTheExactSums(int n) {
        assumeTrue(NativeTiles.amx());
        SplittableRandom random = new SplittableRandom(600 + n);
        int rows = 4 * T;
        for (int columns : new int[] {11, 112, 384}) {
            Bf16Matrix matrix = randomMatrix(random, rows, columns);
            float[] x = gaussians(random, n * columns);
            for (boolean accumulate : new boolean[] {true, false}) {
                float[] initial = gaussians(random, n * rows);
                float[] y = initial.clone();
                assertTrue(NativeTiles.multiplyAmx(matrix.values(), columns, rows, 1, 3, x, n, y, accumulate));
                float[] row = new float[columns];
                for (int r = 0; r < rows; r++) {
                    matrix.copyRow(r, row, 0);
                    for (int i = 0; i < n; i++) {
                        int v = i * rows + r;
                        String where = columns + " columns" + (accumulate ? ", added" : "") + ": input " + i + ", row " + r;
                        if (r < T || r >= 3 * T) {
                            assertEquals(initial[v], y[v], where + " outside tiles 1 and 2, left alone");
                            continue;
                        }
                        double exact = accumulate ? initial[v] : 0;
                        double magnitude = Math.abs(exact);
                        for (int k = 0; k < columns; k++) {
                            double product = (double) row[k] * x[i * columns + k];
                            exact += product;
                            magnitude += Math.abs(product);
                        }
                        assertEquals(exact, y[v], (3 * columns + 1) * 0x1p-24 * magnitude, where);
                    }
                }
            }
        }
    }

    static Bf16Matrix randomMatrix(SplittableRandom random, int rows, int columns) {
        short[] bits = new short[rows * columns];
        for (int v = 0; v < bits.length; v++) {
            bits[v] = (short) (Float.floatToIntBits((float) random.nextGaussian()) >>> 16);
        }
        return Bf16Matrix.tiled(rows, columns, bits);
    }

    private static float[] gaussians(SplittableRandom random, int count) {
        float[] values = new float[count];
        for (int v = 0; v < count; v++) {
            values[v] = (float) random.nextGaussian();
        }
        return values;
    }
}
