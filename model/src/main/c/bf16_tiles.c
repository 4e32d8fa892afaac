/*
 * Bf16Kernels' tile products, compiled by a C compiler for AVX-512: the same tile layout, the same
 * widening of bfloat16 pairs (a shift left by 16, a mask) and the same float32 multiply-adds in the
 * same order for every sum, so the results are bit for bit those of the Java kernels
 * (NativeTilesTest). What C adds is what the Vector API lacks: a prefetch instruction, which retires
 * at once where the Java kernels' loads ahead hold the reorder buffer until their line arrives, and
 * a loop with no bounds checks or spilled offsets. See docs/architecture.md, "CPU backend".
 *
 * Built by model/src/main/c/build.sh during the Maven build (needs cc; without one the Java kernels
 * serve). Loaded by NativeTiles only when the JVM's widest float vector has 16 lanes, the layout this
 * file assumes.
 */
#include <immintrin.h>
#include <stdint.h>

enum { LANES = 16, TILE_ROWS = 4 * LANES, PAIRS = TILE_ROWS / 2, MAX_INPUTS = 6 };

/* How far ahead a column's two cache lines are prefetched: 16 columns, 2 KB, about an L3 latency. */
enum { PREFETCH_COLUMNS = 16 };

typedef struct { __m512 v[4]; } Rows; /* 64 float32 rows of one tile: four vectors */

/* __builtin_prefetch, for read, into every cache level (prefetcht0); gcc 12 emitted no instruction for _mm_prefetch here. */
static inline void prefetchAhead(const int32_t *column) {
    __builtin_prefetch(column + PREFETCH_COLUMNS * PAIRS, 0, 3);
    __builtin_prefetch(column + PREFETCH_COLUMNS * PAIRS + LANES, 0, 3);
}

/* One column's 64 weights, widened: vector 2p holds the low halves of ints [16p, 16p + 16), 2p + 1 the high ones. */
static inline Rows widen(const int32_t *column) {
    __m512i low = _mm512_loadu_si512(column), high = _mm512_loadu_si512(column + LANES);
    __m512i highHalf = _mm512_set1_epi32((int) 0xFFFF0000u);
    Rows w = {{_mm512_castsi512_ps(_mm512_slli_epi32(low, 16)), _mm512_castsi512_ps(_mm512_and_si512(low, highHalf)),
            _mm512_castsi512_ps(_mm512_slli_epi32(high, 16)), _mm512_castsi512_ps(_mm512_and_si512(high, highHalf))}};
    return w;
}

static inline void multiplyAdd(Rows w, float x, Rows *sum) {
    __m512 broadcast = _mm512_set1_ps(x);
    for (int v = 0; v < 4; v++) sum->v[v] = _mm512_fmadd_ps(w.v[v], broadcast, sum->v[v]);
}

/* y += sum, or y = sum: the sums of a product that is not added to a residual need no zeroed y to add to. */
static inline void store(float *y, Rows sum, int accumulate) {
    for (int v = 0; v < 4; v++)
        _mm512_storeu_ps(y + v * LANES, accumulate ? _mm512_add_ps(_mm512_loadu_ps(y + v * LANES), sum.v[v]) : sum.v[v]);
}

/*
 * One or two inputs, the tile walked as two streams, columns [0, C/2) and [C/2, C), then the last
 * column when C is odd: Bf16Kernels.tile1 and tile2, in their order.
 */
static inline __attribute__((always_inline)) void twoStreams(const int32_t *tile, int columns, int rows,
        const float *x, int count, float *y, int accumulate) {
    Rows sums[2] = {0};
    int half = columns / 2;
    const int32_t *first = tile, *second = tile + (int64_t) half * PAIRS;
    for (int k = 0; k < half; k++, first += PAIRS, second += PAIRS) {
        prefetchAhead(first);
        prefetchAhead(second);
        Rows w = widen(first), v = widen(second);
        for (int i = 0; i < count; i++) multiplyAdd(w, x[i * columns + k], &sums[i]);
        for (int i = 0; i < count; i++) multiplyAdd(v, x[i * columns + half + k], &sums[i]);
    }
    if (columns % 2 != 0) {
        Rows w = widen(second);
        for (int i = 0; i < count; i++) multiplyAdd(w, x[i * columns + columns - 1], &sums[i]);
    }
    for (int i = 0; i < count; i++) store(y + (int64_t) i * rows, sums[i], accumulate);
}

/* Three to six inputs, one stream of columns: Bf16Kernels.tile4, tile5 and tile6. */
static inline __attribute__((always_inline)) void oneStream(const int32_t *tile, int columns, int rows,
        const float *x, int count, float *y, int accumulate) {
    Rows sums[MAX_INPUTS] = {0};
    const int32_t *column = tile;
    for (int k = 0; k < columns; k++, column += PAIRS) {
        prefetchAhead(column);
        Rows w = widen(column);
        for (int i = 0; i < count; i++) multiplyAdd(w, x[i * columns + k], &sums[i]);
    }
    for (int i = 0; i < count; i++) store(y + (int64_t) i * rows, sums[i], accumulate);
}

/* Each group size its own loop, so that its sums stay in registers. */
static void group1(const int32_t *t, int c, int r, const float *x, float *y, int a) { twoStreams(t, c, r, x, 1, y, a); }
static void group2(const int32_t *t, int c, int r, const float *x, float *y, int a) { twoStreams(t, c, r, x, 2, y, a); }
static void group3(const int32_t *t, int c, int r, const float *x, float *y, int a) { oneStream(t, c, r, x, 3, y, a); }
static void group4(const int32_t *t, int c, int r, const float *x, float *y, int a) { oneStream(t, c, r, x, 4, y, a); }
static void group5(const int32_t *t, int c, int r, const float *x, float *y, int a) { oneStream(t, c, r, x, 5, y, a); }
static void group6(const int32_t *t, int c, int r, const float *x, float *y, int a) { oneStream(t, c, r, x, 6, y, a); }

static void (*const groups[MAX_INPUTS + 1])(const int32_t *, int, int, const float *, float *, int) = {
        0, group1, group2, group3, group4, group5, group6};

/*
 * y[i][r] += W[r] . x[i] (accumulate) or y[i][r] = W[r] . x[i] for inputs [0, n) and the rows of
 * whole tiles [fromTile, toTile): w is the tiled matrix (PAIRS ints per column of a tile), x is
 * [n][columns], y is [n][rows]. More than six inputs go in passes of near-equal sizes, as in
 * Bf16Kernels.tile.
 */
void specd_bf16_product(const int32_t *w, int columns, int rows, int fromTile, int toTile, const float *x, int n,
        float *y, int accumulate) {
    for (int tile = fromTile; tile < toTile; tile++) {
        const int32_t *weights = w + (int64_t) tile * PAIRS * columns;
        int i = 0;
        for (int passes = (n + MAX_INPUTS - 1) / MAX_INPUTS; passes > 0; passes--) {
            int count = (n - i + passes - 1) / passes;
            groups[count](weights, columns, rows, x + (int64_t) i * columns, y + (int64_t) i * rows + tile * TILE_ROWS,
                    accumulate);
            i += count;
        }
    }
}
