package dev.specd.model.cpu;

import static dev.specd.model.cpu.Matrix.F;
import static dev.specd.model.cpu.Matrix.TILE_ROWS;

import jdk.incubator.vector.FloatVector;

/**
 * {@link F32Matrix}'s products over one whole tile: for each column k, the tile's four weight
 * vectors are loaded once and multiplied into four sums per input, for up to {@value #MAX_INPUTS}
 * inputs at a time.
 *
 * <p>One method per group size, every accumulator spelled out, and no helper of their own taking
 * or returning vectors: C2 keeps vectors in registers only within one compiled method, and a helper
 * it declines to inline (its budget runs out quickly on the Vector API's call depth) boxes every
 * vector that crosses it. Beyond six inputs the 24 sums, four weights and a broadcast would spill
 * out of AVX-512's 32 registers.
 */
final class F32Kernels {

    static final int MAX_INPUTS = 6;
    private static final int L = F.length();

    private F32Kernels() {}

    /**
     * y[i][r] += W[r] · x[i] for inputs [0, n) and the rows of one whole tile: inputs in groups of up
     * to {@value #MAX_INPUTS}, each group one pass over the tile. Groups of 3 and 5 run the kernels of 4
     * and 6 with the last input repeated (its sums are not stored): the spare multiply-adds cost less
     * than a pass, and two fewer kernels.
     */
    static void tile(float[] w, int columns, int rows, int tile, float[] x, int n, float[] y) {
        int i = 0;
        while (i < n) {
            int count = Math.min(MAX_INPUTS, n - i);
            switch (count) {
                case 1 -> tile1(w, columns, rows, tile, x, i, y);
                case 2 -> tile2(w, columns, rows, tile, x, i, y);
                case 3, 4 -> tile4(w, columns, rows, tile, x, i, count, y);
                default -> tile6(w, columns, rows, tile, x, i, count, y);
            }
            i += count;
        }
    }

    private static void tile1(float[] w, int columns, int rows, int tile, float[] x, int i, float[] y) {
        int at = tile * TILE_ROWS * columns;
        int x0 = i * columns;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        for (int k = 0; k < columns; k++, at += TILE_ROWS) {
            FloatVector w0 = FloatVector.fromArray(F, w, at);
            FloatVector w1 = FloatVector.fromArray(F, w, at + L);
            FloatVector w2 = FloatVector.fromArray(F, w, at + 2 * L);
            FloatVector w3 = FloatVector.fromArray(F, w, at + 3 * L);
            FloatVector x0k = FloatVector.broadcast(F, x[x0 + k]);
            a0 = w0.fma(x0k, a0);
            a1 = w1.fma(x0k, a1);
            a2 = w2.fma(x0k, a2);
            a3 = w3.fma(x0k, a3);
        }
        int y0 = i * rows + tile * TILE_ROWS;
        FloatVector.fromArray(F, y, y0).add(a0).intoArray(y, y0);
        FloatVector.fromArray(F, y, y0 + L).add(a1).intoArray(y, y0 + L);
        FloatVector.fromArray(F, y, y0 + 2 * L).add(a2).intoArray(y, y0 + 2 * L);
        FloatVector.fromArray(F, y, y0 + 3 * L).add(a3).intoArray(y, y0 + 3 * L);
    }

    private static void tile2(float[] w, int columns, int rows, int tile, float[] x, int i, float[] y) {
        int at = tile * TILE_ROWS * columns;
        int x0 = i * columns;
        int x1 = x0 + columns;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        FloatVector b0 = FloatVector.zero(F);
        FloatVector b1 = FloatVector.zero(F);
        FloatVector b2 = FloatVector.zero(F);
        FloatVector b3 = FloatVector.zero(F);
        for (int k = 0; k < columns; k++, at += TILE_ROWS) {
            FloatVector w0 = FloatVector.fromArray(F, w, at);
            FloatVector w1 = FloatVector.fromArray(F, w, at + L);
            FloatVector w2 = FloatVector.fromArray(F, w, at + 2 * L);
            FloatVector w3 = FloatVector.fromArray(F, w, at + 3 * L);
            FloatVector x0k = FloatVector.broadcast(F, x[x0 + k]);
            a0 = w0.fma(x0k, a0);
            a1 = w1.fma(x0k, a1);
            a2 = w2.fma(x0k, a2);
            a3 = w3.fma(x0k, a3);
            FloatVector x1k = FloatVector.broadcast(F, x[x1 + k]);
            b0 = w0.fma(x1k, b0);
            b1 = w1.fma(x1k, b1);
            b2 = w2.fma(x1k, b2);
            b3 = w3.fma(x1k, b3);
        }
        int y0 = i * rows + tile * TILE_ROWS;
        FloatVector.fromArray(F, y, y0).add(a0).intoArray(y, y0);
        FloatVector.fromArray(F, y, y0 + L).add(a1).intoArray(y, y0 + L);
        FloatVector.fromArray(F, y, y0 + 2 * L).add(a2).intoArray(y, y0 + 2 * L);
        FloatVector.fromArray(F, y, y0 + 3 * L).add(a3).intoArray(y, y0 + 3 * L);
        int y1 = y0 + rows;
        FloatVector.fromArray(F, y, y1).add(b0).intoArray(y, y1);
        FloatVector.fromArray(F, y, y1 + L).add(b1).intoArray(y, y1 + L);
        FloatVector.fromArray(F, y, y1 + 2 * L).add(b2).intoArray(y, y1 + 2 * L);
        FloatVector.fromArray(F, y, y1 + 3 * L).add(b3).intoArray(y, y1 + 3 * L);
    }

    private static void tile4(float[] w, int columns, int rows, int tile, float[] x, int i, int count, float[] y) {
        int at = tile * TILE_ROWS * columns;
        int x0 = i * columns;
        int x1 = (i + Math.min(1, count - 1)) * columns;
        int x2 = (i + Math.min(2, count - 1)) * columns;
        int x3 = (i + Math.min(3, count - 1)) * columns;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        FloatVector b0 = FloatVector.zero(F);
        FloatVector b1 = FloatVector.zero(F);
        FloatVector b2 = FloatVector.zero(F);
        FloatVector b3 = FloatVector.zero(F);
        FloatVector c0 = FloatVector.zero(F);
        FloatVector c1 = FloatVector.zero(F);
        FloatVector c2 = FloatVector.zero(F);
        FloatVector c3 = FloatVector.zero(F);
        FloatVector d0 = FloatVector.zero(F);
        FloatVector d1 = FloatVector.zero(F);
        FloatVector d2 = FloatVector.zero(F);
        FloatVector d3 = FloatVector.zero(F);
        for (int k = 0; k < columns; k++, at += TILE_ROWS) {
            FloatVector w0 = FloatVector.fromArray(F, w, at);
            FloatVector w1 = FloatVector.fromArray(F, w, at + L);
            FloatVector w2 = FloatVector.fromArray(F, w, at + 2 * L);
            FloatVector w3 = FloatVector.fromArray(F, w, at + 3 * L);
            FloatVector x0k = FloatVector.broadcast(F, x[x0 + k]);
            a0 = w0.fma(x0k, a0);
            a1 = w1.fma(x0k, a1);
            a2 = w2.fma(x0k, a2);
            a3 = w3.fma(x0k, a3);
            FloatVector x1k = FloatVector.broadcast(F, x[x1 + k]);
            b0 = w0.fma(x1k, b0);
            b1 = w1.fma(x1k, b1);
            b2 = w2.fma(x1k, b2);
            b3 = w3.fma(x1k, b3);
            FloatVector x2k = FloatVector.broadcast(F, x[x2 + k]);
            c0 = w0.fma(x2k, c0);
            c1 = w1.fma(x2k, c1);
            c2 = w2.fma(x2k, c2);
            c3 = w3.fma(x2k, c3);
            FloatVector x3k = FloatVector.broadcast(F, x[x3 + k]);
            d0 = w0.fma(x3k, d0);
            d1 = w1.fma(x3k, d1);
            d2 = w2.fma(x3k, d2);
            d3 = w3.fma(x3k, d3);
        }
        int y0 = i * rows + tile * TILE_ROWS;
        FloatVector.fromArray(F, y, y0).add(a0).intoArray(y, y0);
        FloatVector.fromArray(F, y, y0 + L).add(a1).intoArray(y, y0 + L);
        FloatVector.fromArray(F, y, y0 + 2 * L).add(a2).intoArray(y, y0 + 2 * L);
        FloatVector.fromArray(F, y, y0 + 3 * L).add(a3).intoArray(y, y0 + 3 * L);
        int y1 = y0 + rows;
        if (count > 1) {
            FloatVector.fromArray(F, y, y1).add(b0).intoArray(y, y1);
            FloatVector.fromArray(F, y, y1 + L).add(b1).intoArray(y, y1 + L);
            FloatVector.fromArray(F, y, y1 + 2 * L).add(b2).intoArray(y, y1 + 2 * L);
            FloatVector.fromArray(F, y, y1 + 3 * L).add(b3).intoArray(y, y1 + 3 * L);
        }
        int y2 = y1 + rows;
        if (count > 2) {
            FloatVector.fromArray(F, y, y2).add(c0).intoArray(y, y2);
            FloatVector.fromArray(F, y, y2 + L).add(c1).intoArray(y, y2 + L);
            FloatVector.fromArray(F, y, y2 + 2 * L).add(c2).intoArray(y, y2 + 2 * L);
            FloatVector.fromArray(F, y, y2 + 3 * L).add(c3).intoArray(y, y2 + 3 * L);
        }
        int y3 = y2 + rows;
        if (count > 3) {
            FloatVector.fromArray(F, y, y3).add(d0).intoArray(y, y3);
            FloatVector.fromArray(F, y, y3 + L).add(d1).intoArray(y, y3 + L);
            FloatVector.fromArray(F, y, y3 + 2 * L).add(d2).intoArray(y, y3 + 2 * L);
            FloatVector.fromArray(F, y, y3 + 3 * L).add(d3).intoArray(y, y3 + 3 * L);
        }
    }

    private static void tile6(float[] w, int columns, int rows, int tile, float[] x, int i, int count, float[] y) {
        int at = tile * TILE_ROWS * columns;
        int x0 = i * columns;
        int x1 = (i + Math.min(1, count - 1)) * columns;
        int x2 = (i + Math.min(2, count - 1)) * columns;
        int x3 = (i + Math.min(3, count - 1)) * columns;
        int x4 = (i + Math.min(4, count - 1)) * columns;
        int x5 = (i + Math.min(5, count - 1)) * columns;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        FloatVector b0 = FloatVector.zero(F);
        FloatVector b1 = FloatVector.zero(F);
        FloatVector b2 = FloatVector.zero(F);
        FloatVector b3 = FloatVector.zero(F);
        FloatVector c0 = FloatVector.zero(F);
        FloatVector c1 = FloatVector.zero(F);
        FloatVector c2 = FloatVector.zero(F);
        FloatVector c3 = FloatVector.zero(F);
        FloatVector d0 = FloatVector.zero(F);
        FloatVector d1 = FloatVector.zero(F);
        FloatVector d2 = FloatVector.zero(F);
        FloatVector d3 = FloatVector.zero(F);
        FloatVector e0 = FloatVector.zero(F);
        FloatVector e1 = FloatVector.zero(F);
        FloatVector e2 = FloatVector.zero(F);
        FloatVector e3 = FloatVector.zero(F);
        FloatVector f0 = FloatVector.zero(F);
        FloatVector f1 = FloatVector.zero(F);
        FloatVector f2 = FloatVector.zero(F);
        FloatVector f3 = FloatVector.zero(F);
        for (int k = 0; k < columns; k++, at += TILE_ROWS) {
            FloatVector w0 = FloatVector.fromArray(F, w, at);
            FloatVector w1 = FloatVector.fromArray(F, w, at + L);
            FloatVector w2 = FloatVector.fromArray(F, w, at + 2 * L);
            FloatVector w3 = FloatVector.fromArray(F, w, at + 3 * L);
            FloatVector x0k = FloatVector.broadcast(F, x[x0 + k]);
            a0 = w0.fma(x0k, a0);
            a1 = w1.fma(x0k, a1);
            a2 = w2.fma(x0k, a2);
            a3 = w3.fma(x0k, a3);
            FloatVector x1k = FloatVector.broadcast(F, x[x1 + k]);
            b0 = w0.fma(x1k, b0);
            b1 = w1.fma(x1k, b1);
            b2 = w2.fma(x1k, b2);
            b3 = w3.fma(x1k, b3);
            FloatVector x2k = FloatVector.broadcast(F, x[x2 + k]);
            c0 = w0.fma(x2k, c0);
            c1 = w1.fma(x2k, c1);
            c2 = w2.fma(x2k, c2);
            c3 = w3.fma(x2k, c3);
            FloatVector x3k = FloatVector.broadcast(F, x[x3 + k]);
            d0 = w0.fma(x3k, d0);
            d1 = w1.fma(x3k, d1);
            d2 = w2.fma(x3k, d2);
            d3 = w3.fma(x3k, d3);
            FloatVector x4k = FloatVector.broadcast(F, x[x4 + k]);
            e0 = w0.fma(x4k, e0);
            e1 = w1.fma(x4k, e1);
            e2 = w2.fma(x4k, e2);
            e3 = w3.fma(x4k, e3);
            FloatVector x5k = FloatVector.broadcast(F, x[x5 + k]);
            f0 = w0.fma(x5k, f0);
            f1 = w1.fma(x5k, f1);
            f2 = w2.fma(x5k, f2);
            f3 = w3.fma(x5k, f3);
        }
        int y0 = i * rows + tile * TILE_ROWS;
        FloatVector.fromArray(F, y, y0).add(a0).intoArray(y, y0);
        FloatVector.fromArray(F, y, y0 + L).add(a1).intoArray(y, y0 + L);
        FloatVector.fromArray(F, y, y0 + 2 * L).add(a2).intoArray(y, y0 + 2 * L);
        FloatVector.fromArray(F, y, y0 + 3 * L).add(a3).intoArray(y, y0 + 3 * L);
        int y1 = y0 + rows;
        if (count > 1) {
            FloatVector.fromArray(F, y, y1).add(b0).intoArray(y, y1);
            FloatVector.fromArray(F, y, y1 + L).add(b1).intoArray(y, y1 + L);
            FloatVector.fromArray(F, y, y1 + 2 * L).add(b2).intoArray(y, y1 + 2 * L);
            FloatVector.fromArray(F, y, y1 + 3 * L).add(b3).intoArray(y, y1 + 3 * L);
        }
        int y2 = y1 + rows;
        if (count > 2) {
            FloatVector.fromArray(F, y, y2).add(c0).intoArray(y, y2);
            FloatVector.fromArray(F, y, y2 + L).add(c1).intoArray(y, y2 + L);
            FloatVector.fromArray(F, y, y2 + 2 * L).add(c2).intoArray(y, y2 + 2 * L);
            FloatVector.fromArray(F, y, y2 + 3 * L).add(c3).intoArray(y, y2 + 3 * L);
        }
        int y3 = y2 + rows;
        if (count > 3) {
            FloatVector.fromArray(F, y, y3).add(d0).intoArray(y, y3);
            FloatVector.fromArray(F, y, y3 + L).add(d1).intoArray(y, y3 + L);
            FloatVector.fromArray(F, y, y3 + 2 * L).add(d2).intoArray(y, y3 + 2 * L);
            FloatVector.fromArray(F, y, y3 + 3 * L).add(d3).intoArray(y, y3 + 3 * L);
        }
        int y4 = y3 + rows;
        if (count > 4) {
            FloatVector.fromArray(F, y, y4).add(e0).intoArray(y, y4);
            FloatVector.fromArray(F, y, y4 + L).add(e1).intoArray(y, y4 + L);
            FloatVector.fromArray(F, y, y4 + 2 * L).add(e2).intoArray(y, y4 + 2 * L);
            FloatVector.fromArray(F, y, y4 + 3 * L).add(e3).intoArray(y, y4 + 3 * L);
        }
        int y5 = y4 + rows;
        if (count > 5) {
            FloatVector.fromArray(F, y, y5).add(f0).intoArray(y, y5);
            FloatVector.fromArray(F, y, y5 + L).add(f1).intoArray(y, y5 + L);
            FloatVector.fromArray(F, y, y5 + 2 * L).add(f2).intoArray(y, y5 + 2 * L);
            FloatVector.fromArray(F, y, y5 + 3 * L).add(f3).intoArray(y, y5 + 3 * L);
        }
    }
}
