/*
 * F32Kernels' tile products, compiled for AVX-512: the same float32 multiply-adds in the same order
 * for every sum (column by column, from zero, then added to y), so the results are bit for bit those
 * of the Java kernels (NativeTilesTest). They serve attention's two products over the KV cache and
 * float32 weight matrices. What C adds is a loop without bounds checks or spilled offsets, which
 * attention's five-row blocks, with the keys and values in cache, are bound by; and a last tile cut
 * to the vectors of rows that are wanted (attention's last key tile holds only the positions past the
 * previous one).
 *
 * Built with bf16_tiles.c by build.sh; loaded by NativeTiles under the same conditions.
 */
#include <immintrin.h>
#include <stdint.h>

enum { LANES = 16, VECTORS = 4, TILE_ROWS = VECTORS * LANES, MAX_INPUTS = 6 };

/*
 * One pass of `count` inputs over the first `vectors` vectors of rows of one tile: for each column
 * k, the tile's weights w[k·step, k·step + 16·vectors) times each input's x[k], summed from zero,
 * then added to y.
 */
static inline __attribute__((always_inline)) void pass(const float *w, int step, int columns, const float *x,
        int xStride, float *y, int yStride, int count, int vectors) {
    __m512 sums[MAX_INPUTS][VECTORS];
    for (int i = 0; i < count; i++)
        for (int v = 0; v < vectors; v++) sums[i][v] = _mm512_setzero_ps();
    for (int k = 0; k < columns; k++, w += step) {
        __m512 weights[VECTORS];
        for (int v = 0; v < vectors; v++) weights[v] = _mm512_loadu_ps(w + v * LANES);
        for (int i = 0; i < count; i++) {
            __m512 input = _mm512_set1_ps(x[(int64_t) i * xStride + k]);
            for (int v = 0; v < vectors; v++) sums[i][v] = _mm512_fmadd_ps(weights[v], input, sums[i][v]);
        }
    }
    for (int i = 0; i < count; i++)
        for (int v = 0; v < vectors; v++) {
            float *out = y + (int64_t) i * yStride + v * LANES;
            _mm512_storeu_ps(out, _mm512_add_ps(_mm512_loadu_ps(out), sums[i][v]));
        }
}

typedef void (*Pass)(const float *, int, int, const float *, int, float *, int);

/* Each group size and vector count its own loop, so that its sums stay in registers. */
#define PASS(count, vectors)                                                                                  \
    static void pass##count##x##vectors(const float *w, int step, int columns, const float *x, int xStride,  \
            float *y, int yStride) {                                                                          \
        pass(w, step, columns, x, xStride, y, yStride, count, vectors);                                       \
    }
#define PASSES(count) PASS(count, 1) PASS(count, 2) PASS(count, 3) PASS(count, 4)
PASSES(1) PASSES(2) PASSES(3) PASSES(4) PASSES(5) PASSES(6)

static const Pass passes[MAX_INPUTS + 1][VECTORS + 1] = {
        {0}, {0, pass1x1, pass1x2, pass1x3, pass1x4}, {0, pass2x1, pass2x2, pass2x3, pass2x4},
        {0, pass3x1, pass3x2, pass3x3, pass3x4}, {0, pass4x1, pass4x2, pass4x3, pass4x4},
        {0, pass5x1, pass5x2, pass5x3, pass5x4}, {0, pass6x1, pass6x2, pass6x3, pass6x4}};

/*
 * y[yAt + i·yStride + t·T + r] += Σ_k w[at + t·tileStep + k·step + r] · x[xAt + i·xStride + k] for
 * tiles t in [0, tiles), inputs i in [0, n) and the T rows r of each tile, except that the last tile
 * stops after the vector that holds row lastRows − 1. Inputs go in passes as in F32Kernels.tile:
 * as few of at most six as will do, of near-equal sizes.
 */
void specd_f32_product(const float *w, int at, int tileStep, int step, int columns, int tiles, int lastRows,
        const float *x, int xAt, int xStride, int n, float *y, int yAt, int yStride) {
    for (int tile = 0; tile < tiles; tile++) {
        int vectors = tile == tiles - 1 ? (lastRows + LANES - 1) / LANES : VECTORS;
        const float *weights = w + at + (int64_t) tile * tileStep;
        float *out = y + yAt + (int64_t) tile * TILE_ROWS;
        int i = 0;
        for (int left = (n + MAX_INPUTS - 1) / MAX_INPUTS; left > 0; left--) {
            int count = (n - i + left - 1) / left;
            passes[count][vectors](weights, step, columns, x + xAt + (int64_t) i * xStride, xStride,
                    out + (int64_t) i * yStride, yStride);
            i += count;
        }
    }
}
