package dev.specd.model.cpu;

import static dev.specd.model.cpu.Matrix.F;
import static dev.specd.model.cpu.Matrix.TILE_ROWS;

import jdk.incubator.vector.FloatVector;

/**
 * Products over one tile of T = {@value Matrix#TILE_ROWS} rows stored column by column: for each
 * column k, the tile's four vectors of weights are loaded once and multiplied into four sums per
 * input, for up to {@value #MAX_INPUTS} inputs at a time. Where the tile sits is given by offsets
 * and strides, so the same kernels serve {@link F32Matrix}'s weights and {@link Attention}'s two
 * products over the KV cache.
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
     * {@link #tile} over {@code tiles} consecutive tiles: tile t's weights start at
     * {@code at + t·tileStep} and its sums at {@code yAt + t·T}. Only the first {@code lastRows}
     * rows of the last tile are wanted: the native kernels stop after the vector that holds the last
     * of them, the Java ones compute the whole tile; past those rows y is unspecified.
     */
    static void tiles(float[] w, int at, int tileStep, int step, int columns, int tiles, int lastRows, float[] x,
            int xAt, int xStride, int n, float[] y, int yAt, int yStride) {
        if (NativeTiles.available()) {
            NativeTiles.multiply(w, at, tileStep, step, columns, tiles, lastRows, x, xAt, xStride, n, y, yAt, yStride);
            return;
        }
        for (int t = 0; t < tiles; t++) {
            tile(w, at + t * tileStep, step, columns, x, xAt, xStride, n, y, yAt + t * TILE_ROWS, yStride);
        }
    }

    /**
     * y[i][r] += Σ_k W[r][k] · x[i][k] for the T rows r of one tile and inputs i in [0, n), where
     * W[r][k] is w[at + k·step + r], x[i][k] is x[xAt + i·xStride + k] and y[i][r] is
     * y[yAt + i·yStride + r].
     *
     * <p>Each group of inputs is one pass over the tile: as few passes as six inputs a pass allow, of
     * near-equal sizes (15 → 5 + 5 + 5, 7 → 4 + 3), since a pass of one input does only four
     * multiply-adds per four loads. A group of 3 runs the kernel of 4 with its last input repeated
     * (its sums are not stored): the spare multiply-adds cost less than a kernel more.
     */
    static void tile(float[] w, int at, int step, int columns, float[] x, int xAt, int xStride, int n,
            float[] y, int yAt, int yStride) {
        int i = 0;
        for (int passes = Math.ceilDiv(n, MAX_INPUTS); passes > 0; passes--) {
            int count = Math.ceilDiv(n - i, passes);
            switch (count) {
                case 1 -> tile1(w, at, step, columns, x, xAt, xStride, i, y, yAt, yStride);
                case 2 -> tile2(w, at, step, columns, x, xAt, xStride, i, y, yAt, yStride);
                case 3, 4 -> tile4(w, at, step, columns, x, xAt, xStride, i, count, y, yAt, yStride);
                case 5 -> tile5(w, at, step, columns, x, xAt, xStride, i, y, yAt, yStride);
                default -> tile6(w, at, step, columns, x, xAt, xStride, i, y, yAt, yStride);
            }
            i += count;
        }
    }

    private static void tile1(float[] w, int at, int step, int columns, float[] x, int xAt, int xStride, int i,
            float[] y, int yAt, int yStride) {
        int x0 = xAt + i * xStride;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        for (int k = 0; k < columns; k++, at += step) {
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
        int y0 = yAt + i * yStride;
        FloatVector.fromArray(F, y, y0).add(a0).intoArray(y, y0);
        FloatVector.fromArray(F, y, y0 + L).add(a1).intoArray(y, y0 + L);
        FloatVector.fromArray(F, y, y0 + 2 * L).add(a2).intoArray(y, y0 + 2 * L);
        FloatVector.fromArray(F, y, y0 + 3 * L).add(a3).intoArray(y, y0 + 3 * L);
    }

    private static void tile2(float[] w, int at, int step, int columns, float[] x, int xAt, int xStride, int i,
            float[] y, int yAt, int yStride) {
        int x0 = xAt + i * xStride;
        int x1 = x0 + xStride;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        FloatVector b0 = FloatVector.zero(F);
        FloatVector b1 = FloatVector.zero(F);
        FloatVector b2 = FloatVector.zero(F);
        FloatVector b3 = FloatVector.zero(F);
        for (int k = 0; k < columns; k++, at += step) {
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
        int y0 = yAt + i * yStride;
        FloatVector.fromArray(F, y, y0).add(a0).intoArray(y, y0);
        FloatVector.fromArray(F, y, y0 + L).add(a1).intoArray(y, y0 + L);
        FloatVector.fromArray(F, y, y0 + 2 * L).add(a2).intoArray(y, y0 + 2 * L);
        FloatVector.fromArray(F, y, y0 + 3 * L).add(a3).intoArray(y, y0 + 3 * L);
        int y1 = y0 + yStride;
        FloatVector.fromArray(F, y, y1).add(b0).intoArray(y, y1);
        FloatVector.fromArray(F, y, y1 + L).add(b1).intoArray(y, y1 + L);
        FloatVector.fromArray(F, y, y1 + 2 * L).add(b2).intoArray(y, y1 + 2 * L);
        FloatVector.fromArray(F, y, y1 + 3 * L).add(b3).intoArray(y, y1 + 3 * L);
    }

    private static void tile4(float[] w, int at, int step, int columns, float[] x, int xAt, int xStride, int i, int count,
            float[] y, int yAt, int yStride) {
        int x0 = xAt + i * xStride;
        int x1 = x0 + Math.min(1, count - 1) * xStride;
        int x2 = x0 + Math.min(2, count - 1) * xStride;
        int x3 = x0 + Math.min(3, count - 1) * xStride;
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
        for (int k = 0; k < columns; k++, at += step) {
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
        int y0 = yAt + i * yStride;
        FloatVector.fromArray(F, y, y0).add(a0).intoArray(y, y0);
        FloatVector.fromArray(F, y, y0 + L).add(a1).intoArray(y, y0 + L);
        FloatVector.fromArray(F, y, y0 + 2 * L).add(a2).intoArray(y, y0 + 2 * L);
        FloatVector.fromArray(F, y, y0 + 3 * L).add(a3).intoArray(y, y0 + 3 * L);
        int y1 = y0 + yStride;
        if (count > 1) {
            FloatVector.fromArray(F, y, y1).add(b0).intoArray(y, y1);
            FloatVector.fromArray(F, y, y1 + L).add(b1).intoArray(y, y1 + L);
            FloatVector.fromArray(F, y, y1 + 2 * L).add(b2).intoArray(y, y1 + 2 * L);
            FloatVector.fromArray(F, y, y1 + 3 * L).add(b3).intoArray(y, y1 + 3 * L);
        }
        int y2 = y1 + yStride;
        if (count > 2) {
            FloatVector.fromArray(F, y, y2).add(c0).intoArray(y, y2);
            FloatVector.fromArray(F, y, y2 + L).add(c1).intoArray(y, y2 + L);
            FloatVector.fromArray(F, y, y2 + 2 * L).add(c2).intoArray(y, y2 + 2 * L);
            FloatVector.fromArray(F, y, y2 + 3 * L).add(c3).intoArray(y, y2 + 3 * L);
        }
        int y3 = y2 + yStride;
        if (count > 3) {
            FloatVector.fromArray(F, y, y3).add(d0).intoArray(y, y3);
            FloatVector.fromArray(F, y, y3 + L).add(d1).intoArray(y, y3 + L);
            FloatVector.fromArray(F, y, y3 + 2 * L).add(d2).intoArray(y, y3 + 2 * L);
            FloatVector.fromArray(F, y, y3 + 3 * L).add(d3).intoArray(y, y3 + 3 * L);
        }
    }

    private static void tile5(float[] w, int at, int step, int columns, float[] x, int xAt, int xStride, int i,
            float[] y, int yAt, int yStride) {
        int x0 = xAt + i * xStride;
        int x1 = x0 + xStride;
        int x2 = x1 + xStride;
        int x3 = x2 + xStride;
        int x4 = x3 + xStride;
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
        for (int k = 0; k < columns; k++, at += step) {
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
        }
        int y0 = yAt + i * yStride;
        FloatVector.fromArray(F, y, y0).add(a0).intoArray(y, y0);
        FloatVector.fromArray(F, y, y0 + L).add(a1).intoArray(y, y0 + L);
        FloatVector.fromArray(F, y, y0 + 2 * L).add(a2).intoArray(y, y0 + 2 * L);
        FloatVector.fromArray(F, y, y0 + 3 * L).add(a3).intoArray(y, y0 + 3 * L);
        int y1 = y0 + yStride;
        FloatVector.fromArray(F, y, y1).add(b0).intoArray(y, y1);
        FloatVector.fromArray(F, y, y1 + L).add(b1).intoArray(y, y1 + L);
        FloatVector.fromArray(F, y, y1 + 2 * L).add(b2).intoArray(y, y1 + 2 * L);
        FloatVector.fromArray(F, y, y1 + 3 * L).add(b3).intoArray(y, y1 + 3 * L);
        int y2 = y1 + yStride;
        FloatVector.fromArray(F, y, y2).add(c0).intoArray(y, y2);
        FloatVector.fromArray(F, y, y2 + L).add(c1).intoArray(y, y2 + L);
        FloatVector.fromArray(F, y, y2 + 2 * L).add(c2).intoArray(y, y2 + 2 * L);
        FloatVector.fromArray(F, y, y2 + 3 * L).add(c3).intoArray(y, y2 + 3 * L);
        int y3 = y2 + yStride;
        FloatVector.fromArray(F, y, y3).add(d0).intoArray(y, y3);
        FloatVector.fromArray(F, y, y3 + L).add(d1).intoArray(y, y3 + L);
        FloatVector.fromArray(F, y, y3 + 2 * L).add(d2).intoArray(y, y3 + 2 * L);
        FloatVector.fromArray(F, y, y3 + 3 * L).add(d3).intoArray(y, y3 + 3 * L);
        int y4 = y3 + yStride;
        FloatVector.fromArray(F, y, y4).add(e0).intoArray(y, y4);
        FloatVector.fromArray(F, y, y4 + L).add(e1).intoArray(y, y4 + L);
        FloatVector.fromArray(F, y, y4 + 2 * L).add(e2).intoArray(y, y4 + 2 * L);
        FloatVector.fromArray(F, y, y4 + 3 * L).add(e3).intoArray(y, y4 + 3 * L);
    }

    private static void tile6(float[] w, int at, int step, int columns, float[] x, int xAt, int xStride, int i,
            float[] y, int yAt, int yStride) {
        int x0 = xAt + i * xStride;
        int x1 = x0 + xStride;
        int x2 = x1 + xStride;
        int x3 = x2 + xStride;
        int x4 = x3 + xStride;
        int x5 = x4 + xStride;
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
        for (int k = 0; k < columns; k++, at += step) {
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
        int y0 = yAt + i * yStride;
        FloatVector.fromArray(F, y, y0).add(a0).intoArray(y, y0);
        FloatVector.fromArray(F, y, y0 + L).add(a1).intoArray(y, y0 + L);
        FloatVector.fromArray(F, y, y0 + 2 * L).add(a2).intoArray(y, y0 + 2 * L);
        FloatVector.fromArray(F, y, y0 + 3 * L).add(a3).intoArray(y, y0 + 3 * L);
        int y1 = y0 + yStride;
        FloatVector.fromArray(F, y, y1).add(b0).intoArray(y, y1);
        FloatVector.fromArray(F, y, y1 + L).add(b1).intoArray(y, y1 + L);
        FloatVector.fromArray(F, y, y1 + 2 * L).add(b2).intoArray(y, y1 + 2 * L);
        FloatVector.fromArray(F, y, y1 + 3 * L).add(b3).intoArray(y, y1 + 3 * L);
        int y2 = y1 + yStride;
        FloatVector.fromArray(F, y, y2).add(c0).intoArray(y, y2);
        FloatVector.fromArray(F, y, y2 + L).add(c1).intoArray(y, y2 + L);
        FloatVector.fromArray(F, y, y2 + 2 * L).add(c2).intoArray(y, y2 + 2 * L);
        FloatVector.fromArray(F, y, y2 + 3 * L).add(c3).intoArray(y, y2 + 3 * L);
        int y3 = y2 + yStride;
        FloatVector.fromArray(F, y, y3).add(d0).intoArray(y, y3);
        FloatVector.fromArray(F, y, y3 + L).add(d1).intoArray(y, y3 + L);
        FloatVector.fromArray(F, y, y3 + 2 * L).add(d2).intoArray(y, y3 + 2 * L);
        FloatVector.fromArray(F, y, y3 + 3 * L).add(d3).intoArray(y, y3 + 3 * L);
        int y4 = y3 + yStride;
        FloatVector.fromArray(F, y, y4).add(e0).intoArray(y, y4);
        FloatVector.fromArray(F, y, y4 + L).add(e1).intoArray(y, y4 + L);
        FloatVector.fromArray(F, y, y4 + 2 * L).add(e2).intoArray(y, y4 + 2 * L);
        FloatVector.fromArray(F, y, y4 + 3 * L).add(e3).intoArray(y, y4 + 3 * L);
        int y5 = y4 + yStride;
        FloatVector.fromArray(F, y, y5).add(f0).intoArray(y, y5);
        FloatVector.fromArray(F, y, y5 + L).add(f1).intoArray(y, y5 + L);
        FloatVector.fromArray(F, y, y5 + 2 * L).add(f2).intoArray(y, y5 + 2 * L);
        FloatVector.fromArray(F, y, y5 + 3 * L).add(f3).intoArray(y, y5 + 3 * L);
    }

}
