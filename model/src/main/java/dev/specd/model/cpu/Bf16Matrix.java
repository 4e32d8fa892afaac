package dev.specd.model.cpu;

import static dev.specd.model.cpu.Bf16Kernels.HIGH_HALF;
import static dev.specd.model.cpu.Bf16Kernels.PAIRS;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A bfloat16 weight matrix in {@link Matrix}'s tiles, two weights to an int: for each column of a
 * tile, two int vectors hold its T = 4·L rows, the low halves of vector p rows 2pL … 2pL + L − 1 and
 * the high halves rows 2pL + L … 2pL + 2L − 1. bfloat16 is the upper half of a float32, so a shift
 * left by 16 widens the low halves and a mask the high ones, exactly, in registers, with no shuffles.
 */
record Bf16Matrix(int rows, int columns, int[] values) implements Matrix {

    private static final VectorSpecies<Integer> I = F.withLanes(int.class);
    private static final int L = F.length();
    /** Where the kernels' loads ahead end up, so that they are kept (see Bf16Kernels.loadAhead); never read. */
    @SuppressWarnings("unused")
    private static int loadedAhead;

    Bf16Matrix {
        if ((long) Math.ceilDiv(rows, TILE_ROWS) * PAIRS * columns != values.length) {
            throw new IllegalArgumentException(rows + " x " + columns + " tiled matrix over " + values.length + " ints");
        }
    }

    /** Tiles a row-major [rows, columns] matrix of bfloat16 bits. */
    static Bf16Matrix tiled(int rows, int columns, short[] rowMajor) {
        int[] tiled = new int[Math.ceilDiv(rows, TILE_ROWS) * PAIRS * columns];
        for (int row = 0; row < rows; row++) {
            for (int k = 0; k < columns; k++) {
                int bits = rowMajor[row * columns + k] & 0xFFFF;
                tiled[index(row, k, columns)] |= isHighHalf(row) ? bits << 16 : bits;
            }
        }
        return new Bf16Matrix(rows, columns, tiled);
    }

    /** The int that holds W[row][k]. */
    private static int index(int row, int k, int columns) {
        int inTile = row % TILE_ROWS;
        return row / TILE_ROWS * PAIRS * columns + k * PAIRS + inTile / (2 * L) * L + inTile % L;
    }

    private static boolean isHighHalf(int row) {
        return row % (2 * L) >= L;
    }

    private static float widen(int pair, boolean high) {
        return Float.intBitsToFloat(high ? pair & HIGH_HALF : pair << 16);
    }

    @Override
    public long bytes() {
        return (long) rows * columns * Short.BYTES;
    }

    @Override
    public void copyRow(int row, float[] destination, int offset) {
        boolean high = isHighHalf(row);
        for (int k = 0; k < columns; k++) {
            destination[offset + k] = widen(values[index(row, k, columns)], high);
        }
    }

    @Override
    public boolean onAmx(int n) {
        return NativeTiles.onAmx(n);
    }

    @Override
    public void multiplyAdd(float[] x, int n, float[] y, int fromTile, int toTile) {
        product(x, n, y, fromTile, toTile, true);
    }

    /** With the native kernels, y = W·x is stored without zeroing y first, and without reading it. */
    @Override
    public void multiply(float[] x, int n, float[] y, int fromTile, int toTile) {
        if (NativeTiles.available()) {
            product(x, n, y, fromTile, toTile, false);
        } else {
            Matrix.super.multiply(x, n, y, fromTile, toTile);
        }
    }

    private void product(float[] x, int n, float[] y, int fromTile, int toTile, boolean accumulate) {
        int fullTiles = rows / TILE_ROWS;
        int wholeEnd = Math.min(toTile, fullTiles);
        if (NativeTiles.available()) {
            if (fromTile < wholeEnd) {
                NativeTiles.multiply(values, columns, rows, fromTile, wholeEnd, x, n, y, accumulate);
            }
        } else {
            int touched = 0;
            for (int tile = fromTile; tile < wholeEnd; tile++) {
                touched ^= Bf16Kernels.tile(values, columns, rows, tile, x, n, y);
            }
            loadedAhead = touched;
        }
        if (toTile > fullTiles) {
            if (!accumulate) {
                for (int i = 0; i < n; i++) {
                    Arrays.fill(y, i * rows + fullTiles * TILE_ROWS, (i + 1) * rows, 0f);
                }
            }
            partialTile(fullTiles, x, n, y);
        }
    }

    /** The last tile when rows are no multiple of a tile: its whole vectors of rows, then single rows. */
    private void partialTile(int tile, float[] x, int n, float[] y) {
        int first = tile * TILE_ROWS;
        int valid = rows - first;
        int base = tile * PAIRS * columns;
        for (int i = 0; i < n; i++) {
            int x0 = i * columns;
            int y0 = i * rows + first;
            int r = 0;
            for (; r + L <= valid; r += L) {
                int vector = base + r / (2 * L) * L;
                boolean high = r % (2 * L) >= L;
                FloatVector sum = FloatVector.zero(F);
                for (int k = 0; k < columns; k++) {
                    IntVector pairs = IntVector.fromArray(I, values, vector + k * PAIRS);
                    FloatVector weights = (high ? pairs.and(HIGH_HALF) : pairs.lanewise(VectorOperators.LSHL, 16))
                            .reinterpretAsFloats();
                    sum = weights.fma(FloatVector.broadcast(F, x[x0 + k]), sum);
                }
                FloatVector.fromArray(F, y, y0 + r).add(sum).intoArray(y, y0 + r);
            }
            for (; r < valid; r++) {
                int row = first + r;
                boolean high = isHighHalf(row);
                float sum = 0;
                for (int k = 0; k < columns; k++) {
                    sum += widen(values[index(row, k, columns)], high) * x[x0 + k];
                }
                y[y0 + r] += sum;
            }
        }
    }
}
