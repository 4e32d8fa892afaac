package dev.specd.model.cpu;

import static dev.specd.model.cpu.Matrix.F;
import static dev.specd.model.cpu.Matrix.TILE_ROWS;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Bf16Matrix}'s products over one whole tile, as {@link F32Kernels}'s, the weights widened
 * from bfloat16 pairs as they are loaded: a shift left by 16 for the low halves, a mask for the
 * high ones.
 *
 * <p>Groups of one and two inputs walk the tile as two streams at once, columns [0, C/2) and
 * [C/2, C), then the last column when C is odd: with so little arithmetic per weight, one stream
 * per core left memory idle. Measured with {@code ./specd bench projection} (2048 × 384, both
 * cores): two inputs 34 → 30 µs with the weights in L3 and 78 → 65 µs from memory, one input
 * 29 → 28 µs and 59 → 51 µs. Three inputs and more keep one stream: the second one's weight
 * vectors do not fit in the registers beside their sums (five inputs ran 10% slower).
 */
final class Bf16Kernels {

    static final int MAX_INPUTS = F32Kernels.MAX_INPUTS;
    /** Ints per column of a tile: two bfloat16 weights each. */
    static final int PAIRS = TILE_ROWS / 2;
    static final int HIGH_HALF = 0xFFFF0000;
    private static final VectorSpecies<Integer> I = F.withLanes(int.class);
    private static final int L = F.length();
    /**
     * How far ahead of the column being multiplied, in ints, each iteration loads one int from each
     * of the two cache lines of a column's weights: eight columns, a kilobyte. The Vector API has no
     * prefetch instruction, and without these loads a pass over weights streamed from L3 waits on
     * memory between bursts of arithmetic (five inputs, a 12 MB matrix, one thread: 670 µs, 500 µs
     * with them, against 420 µs for one input). Not final, on purpose: with a constant offset C2
     * compiles the loop differently, and it ran 10% slower (measured, in L2 and in L3).
     */
    @SuppressWarnings("FieldMayBeFinal")
    private static int loadAhead = 8 * PAIRS;

    private Bf16Kernels() {}

    /**
     * y[i][r] += W[r] · x[i] for inputs [0, n) and the rows of one whole tile, the inputs grouped as
     * in {@link F32Kernels#tile}. Returns the exclusive or of the ints loaded ahead, which the caller
     * must store, or the compiler drops those loads.
     */
    static int tile(int[] w, int columns, int rows, int tile, float[] x, int n, float[] y) {
        int touched = 0;
        int i = 0;
        for (int passes = Math.ceilDiv(n, MAX_INPUTS); passes > 0; passes--) {
            int count = Math.ceilDiv(n - i, passes);
            touched ^= switch (count) {
                case 1 -> tile1(w, columns, rows, tile, x, i, y);
                case 2 -> tile2(w, columns, rows, tile, x, i, y);
                case 3, 4 -> tile4(w, columns, rows, tile, x, i, count, y);
                case 5 -> tile5(w, columns, rows, tile, x, i, y);
                default -> tile6(w, columns, rows, tile, x, i, y);
            };
            i += count;
        }
        return touched;
    }

    private static int tile1(int[] w, int columns, int rows, int tile, float[] x, int i, float[] y) {
        int at = tile * PAIRS * columns;
        int x0 = i * columns;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        int last = w.length - 1;
        int ahead = loadAhead;
        int touched = 0;
        int half = columns / 2;
        int secondAt = at + half * PAIRS;
        for (int k = 0; k < half; k++, at += PAIRS, secondAt += PAIRS) {
            IntVector loww = IntVector.fromArray(I, w, at);
            IntVector highw = IntVector.fromArray(I, w, at + L);
            FloatVector w0 = loww.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector w1 = loww.and(HIGH_HALF).reinterpretAsFloats();
            FloatVector w2 = highw.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector w3 = highw.and(HIGH_HALF).reinterpretAsFloats();
            FloatVector x0k = FloatVector.broadcast(F, x[x0 + k]);
            a0 = w0.fma(x0k, a0);
            a1 = w1.fma(x0k, a1);
            a2 = w2.fma(x0k, a2);
            a3 = w3.fma(x0k, a3);
            IntVector lowv = IntVector.fromArray(I, w, secondAt);
            IntVector highv = IntVector.fromArray(I, w, secondAt + L);
            FloatVector v0 = lowv.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector v1 = lowv.and(HIGH_HALF).reinterpretAsFloats();
            FloatVector v2 = highv.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector v3 = highv.and(HIGH_HALF).reinterpretAsFloats();
            FloatVector x0h = FloatVector.broadcast(F, x[x0 + half + k]);
            a0 = v0.fma(x0h, a0);
            a1 = v1.fma(x0h, a1);
            a2 = v2.fma(x0h, a2);
            a3 = v3.fma(x0h, a3);
            touched ^= w[Math.min(at + ahead, last)] ^ w[Math.min(at + ahead + L, last)]
                    ^ w[Math.min(secondAt + ahead, last)] ^ w[Math.min(secondAt + ahead + L, last)];
        }
        if (columns % 2 != 0) {
            IntVector loww = IntVector.fromArray(I, w, secondAt);
            IntVector highw = IntVector.fromArray(I, w, secondAt + L);
            FloatVector w0 = loww.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector w1 = loww.and(HIGH_HALF).reinterpretAsFloats();
            FloatVector w2 = highw.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector w3 = highw.and(HIGH_HALF).reinterpretAsFloats();
            FloatVector x0k = FloatVector.broadcast(F, x[x0 + columns - 1]);
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
        return touched;
    }

    private static int tile2(int[] w, int columns, int rows, int tile, float[] x, int i, float[] y) {
        int at = tile * PAIRS * columns;
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
        int last = w.length - 1;
        int ahead = loadAhead;
        int touched = 0;
        int half = columns / 2;
        int secondAt = at + half * PAIRS;
        for (int k = 0; k < half; k++, at += PAIRS, secondAt += PAIRS) {
            IntVector loww = IntVector.fromArray(I, w, at);
            IntVector highw = IntVector.fromArray(I, w, at + L);
            FloatVector w0 = loww.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector w1 = loww.and(HIGH_HALF).reinterpretAsFloats();
            FloatVector w2 = highw.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector w3 = highw.and(HIGH_HALF).reinterpretAsFloats();
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
            IntVector lowv = IntVector.fromArray(I, w, secondAt);
            IntVector highv = IntVector.fromArray(I, w, secondAt + L);
            FloatVector v0 = lowv.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector v1 = lowv.and(HIGH_HALF).reinterpretAsFloats();
            FloatVector v2 = highv.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector v3 = highv.and(HIGH_HALF).reinterpretAsFloats();
            FloatVector x0h = FloatVector.broadcast(F, x[x0 + half + k]);
            a0 = v0.fma(x0h, a0);
            a1 = v1.fma(x0h, a1);
            a2 = v2.fma(x0h, a2);
            a3 = v3.fma(x0h, a3);
            FloatVector x1h = FloatVector.broadcast(F, x[x1 + half + k]);
            b0 = v0.fma(x1h, b0);
            b1 = v1.fma(x1h, b1);
            b2 = v2.fma(x1h, b2);
            b3 = v3.fma(x1h, b3);
            touched ^= w[Math.min(at + ahead, last)] ^ w[Math.min(at + ahead + L, last)]
                    ^ w[Math.min(secondAt + ahead, last)] ^ w[Math.min(secondAt + ahead + L, last)];
        }
        if (columns % 2 != 0) {
            IntVector loww = IntVector.fromArray(I, w, secondAt);
            IntVector highw = IntVector.fromArray(I, w, secondAt + L);
            FloatVector w0 = loww.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector w1 = loww.and(HIGH_HALF).reinterpretAsFloats();
            FloatVector w2 = highw.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector w3 = highw.and(HIGH_HALF).reinterpretAsFloats();
            FloatVector x0k = FloatVector.broadcast(F, x[x0 + columns - 1]);
            a0 = w0.fma(x0k, a0);
            a1 = w1.fma(x0k, a1);
            a2 = w2.fma(x0k, a2);
            a3 = w3.fma(x0k, a3);
            FloatVector x1k = FloatVector.broadcast(F, x[x1 + columns - 1]);
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
        return touched;
    }

    private static int tile4(int[] w, int columns, int rows, int tile, float[] x, int i, int count, float[] y) {
        int at = tile * PAIRS * columns;
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
        int last = w.length - 1;
        int ahead = loadAhead;
        int touched = 0;
        for (int k = 0; k < columns; k++, at += PAIRS) {
            IntVector loww = IntVector.fromArray(I, w, at);
            IntVector highw = IntVector.fromArray(I, w, at + L);
            FloatVector w0 = loww.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector w1 = loww.and(HIGH_HALF).reinterpretAsFloats();
            FloatVector w2 = highw.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector w3 = highw.and(HIGH_HALF).reinterpretAsFloats();
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
            touched ^= w[Math.min(at + ahead, last)] ^ w[Math.min(at + ahead + L, last)];
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
        return touched;
    }

    private static int tile5(int[] w, int columns, int rows, int tile, float[] x, int i, float[] y) {
        int at = tile * PAIRS * columns;
        int x0 = i * columns;
        int x1 = x0 + columns;
        int x2 = x1 + columns;
        int x3 = x2 + columns;
        int x4 = x3 + columns;
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
        int last = w.length - 1;
        int ahead = loadAhead;
        int touched = 0;
        for (int k = 0; k < columns; k++, at += PAIRS) {
            IntVector loww = IntVector.fromArray(I, w, at);
            IntVector highw = IntVector.fromArray(I, w, at + L);
            FloatVector w0 = loww.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector w1 = loww.and(HIGH_HALF).reinterpretAsFloats();
            FloatVector w2 = highw.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector w3 = highw.and(HIGH_HALF).reinterpretAsFloats();
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
            touched ^= w[Math.min(at + ahead, last)] ^ w[Math.min(at + ahead + L, last)];
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
        int y2 = y1 + rows;
        FloatVector.fromArray(F, y, y2).add(c0).intoArray(y, y2);
        FloatVector.fromArray(F, y, y2 + L).add(c1).intoArray(y, y2 + L);
        FloatVector.fromArray(F, y, y2 + 2 * L).add(c2).intoArray(y, y2 + 2 * L);
        FloatVector.fromArray(F, y, y2 + 3 * L).add(c3).intoArray(y, y2 + 3 * L);
        int y3 = y2 + rows;
        FloatVector.fromArray(F, y, y3).add(d0).intoArray(y, y3);
        FloatVector.fromArray(F, y, y3 + L).add(d1).intoArray(y, y3 + L);
        FloatVector.fromArray(F, y, y3 + 2 * L).add(d2).intoArray(y, y3 + 2 * L);
        FloatVector.fromArray(F, y, y3 + 3 * L).add(d3).intoArray(y, y3 + 3 * L);
        int y4 = y3 + rows;
        FloatVector.fromArray(F, y, y4).add(e0).intoArray(y, y4);
        FloatVector.fromArray(F, y, y4 + L).add(e1).intoArray(y, y4 + L);
        FloatVector.fromArray(F, y, y4 + 2 * L).add(e2).intoArray(y, y4 + 2 * L);
        FloatVector.fromArray(F, y, y4 + 3 * L).add(e3).intoArray(y, y4 + 3 * L);
        return touched;
    }

    private static int tile6(int[] w, int columns, int rows, int tile, float[] x, int i, float[] y) {
        int at = tile * PAIRS * columns;
        int x0 = i * columns;
        int x1 = x0 + columns;
        int x2 = x1 + columns;
        int x3 = x2 + columns;
        int x4 = x3 + columns;
        int x5 = x4 + columns;
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
        int last = w.length - 1;
        int ahead = loadAhead;
        int touched = 0;
        for (int k = 0; k < columns; k++, at += PAIRS) {
            IntVector loww = IntVector.fromArray(I, w, at);
            IntVector highw = IntVector.fromArray(I, w, at + L);
            FloatVector w0 = loww.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector w1 = loww.and(HIGH_HALF).reinterpretAsFloats();
            FloatVector w2 = highw.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector w3 = highw.and(HIGH_HALF).reinterpretAsFloats();
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
            touched ^= w[Math.min(at + ahead, last)] ^ w[Math.min(at + ahead + L, last)];
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
        int y2 = y1 + rows;
        FloatVector.fromArray(F, y, y2).add(c0).intoArray(y, y2);
        FloatVector.fromArray(F, y, y2 + L).add(c1).intoArray(y, y2 + L);
        FloatVector.fromArray(F, y, y2 + 2 * L).add(c2).intoArray(y, y2 + 2 * L);
        FloatVector.fromArray(F, y, y2 + 3 * L).add(c3).intoArray(y, y2 + 3 * L);
        int y3 = y2 + rows;
        FloatVector.fromArray(F, y, y3).add(d0).intoArray(y, y3);
        FloatVector.fromArray(F, y, y3 + L).add(d1).intoArray(y, y3 + L);
        FloatVector.fromArray(F, y, y3 + 2 * L).add(d2).intoArray(y, y3 + 2 * L);
        FloatVector.fromArray(F, y, y3 + 3 * L).add(d3).intoArray(y, y3 + 3 * L);
        int y4 = y3 + rows;
        FloatVector.fromArray(F, y, y4).add(e0).intoArray(y, y4);
        FloatVector.fromArray(F, y, y4 + L).add(e1).intoArray(y, y4 + L);
        FloatVector.fromArray(F, y, y4 + 2 * L).add(e2).intoArray(y, y4 + 2 * L);
        FloatVector.fromArray(F, y, y4 + 3 * L).add(e3).intoArray(y, y4 + 3 * L);
        int y5 = y4 + rows;
        FloatVector.fromArray(F, y, y5).add(f0).intoArray(y, y5);
        FloatVector.fromArray(F, y, y5 + L).add(f1).intoArray(y, y5 + L);
        FloatVector.fromArray(F, y, y5 + 2 * L).add(f2).intoArray(y, y5 + 2 * L);
        FloatVector.fromArray(F, y, y5 + 3 * L).add(f3).intoArray(y, y5 + 3 * L);
        return touched;
    }

}
