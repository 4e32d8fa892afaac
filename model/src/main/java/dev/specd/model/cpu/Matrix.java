package dev.specd.model.cpu;

import java.util.Arrays;
import jdk.incubator.vector.VectorSpecies;

/**
 * A weight matrix [rows, columns] (a Hugging Face linear layer's [out, in]) stored in tiles of
 * {@link #TILE_ROWS} rows, column by column: tile t holds, for each column k, the values of its
 * rows t·T … t·T + T − 1 side by side. A product then walks a tile once, broadcasting x[k] against
 * four vectors of weights into four vectors of sums per input: no horizontal reductions, no tails
 * over columns, and each weight loaded once for every input it multiplies. Rows past the last are
 * zero. Weights keep the checkpoint's precision: float32, or bfloat16 widened in registers, which
 * halves the bytes a decode step reads.
 */
sealed interface Matrix permits F32Matrix, Bf16Matrix {

    VectorSpecies<Float> F = VectorMath.F;
    /** Rows per tile: four vectors (64 with AVX-512), so each input keeps four independent sums. */
    int TILE_ROWS = 4 * F.length();

    int rows();

    int columns();

    /** Bytes of weights one product over all rows reads. */
    long bytes();

    default int tiles() {
        return Math.ceilDiv(rows(), TILE_ROWS);
    }

    /**
     * y[i][r] += W[r] · x[i] for inputs i in [0, n) and the rows r of tiles [fromTile, toTile):
     * x is [n][columns], y is [n][rows].
     */
    void multiplyAdd(float[] x, int n, float[] y, int fromTile, int toTile);

    /**
     * Whether a product of {@code n} inputs runs on AMX ({@link NativeTiles#onAmx}), whose every call
     * splits all n inputs anew: a caller then gives one call as many tiles as it can.
     */
    default boolean onAmx(int n) {
        return false;
    }

    /** y[i][r] = W[r] · x[i], as {@link #multiplyAdd} over rows it first sets to zero. */
    default void multiply(float[] x, int n, float[] y, int fromTile, int toTile) {
        int first = fromTile * TILE_ROWS;
        int last = Math.min(rows(), toTile * TILE_ROWS);
        for (int i = 0; i < n; i++) {
            Arrays.fill(y, i * rows() + first, i * rows() + last, 0f);
        }
        multiplyAdd(x, n, y, fromTile, toTile);
    }

    /** Row {@code row} as float32 into {@code destination} from {@code offset}: an embedding lookup. */
    void copyRow(int row, float[] destination, int offset);
}
