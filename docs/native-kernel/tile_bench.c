/*
 * What a native kernel would give the java backend's bfloat16 products: Bf16Kernels' tile layout and
 * arithmetic (one-input and five-input groups, weights widened by a shift and a mask, float32
 * multiply-adds in the same order per sum), compiled by gcc, on gate_up's shape (2048 x 384), both
 * cores splitting the tiles in halves. Prints the median microseconds of one product, as
 * `./specd bench projection --footprint-mb 0,24` does for the Java kernels: one matrix (weights in
 * cache) and 16 copies cycled through (24 MB, streamed from L3). Not part of the build.
 *
 *   gcc -O3 -march=native -fopenmp -o /tmp/tile_bench docs/native-kernel/tile_bench.c
 *   OMP_NUM_THREADS=2 OMP_PROC_BIND=true /tmp/tile_bench     (OMP_NUM_THREADS=1: one core)
 */
#include <immintrin.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { ROWS = 2048, COLUMNS = 384, TILE_ROWS = 64, PAIRS = TILE_ROWS / 2, ITERATIONS = 2000 };

static double nanos(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

/* The 64 weights of one column of a tile: two int vectors of bfloat16 pairs, widened to four float vectors. */
static inline void widen(const int32_t *column, __m512 w[4]) {
    __m512i low = _mm512_loadu_si512(column), high = _mm512_loadu_si512(column + 16);
    __m512i highHalf = _mm512_set1_epi32((int) 0xFFFF0000);
    w[0] = _mm512_castsi512_ps(_mm512_slli_epi32(low, 16));
    w[1] = _mm512_castsi512_ps(_mm512_and_si512(low, highHalf));
    w[2] = _mm512_castsi512_ps(_mm512_slli_epi32(high, 16));
    w[3] = _mm512_castsi512_ps(_mm512_and_si512(high, highHalf));
}

/* y[i][tile rows] = W[tile rows] . x[i] for inputs [0, n), n = 1 or 5. */
static void tile(const int32_t *weights, int t, const float *x, int n, float *y) {
    const int32_t *column = weights + (size_t) t * PAIRS * COLUMNS;
    __m512 sums[5][4];
    for (int i = 0; i < n; i++)
        for (int v = 0; v < 4; v++) sums[i][v] = _mm512_setzero_ps();
    for (int k = 0; k < COLUMNS; k++, column += PAIRS) {
        __m512 w[4];
        widen(column, w);
        for (int i = 0; i < n; i++) {
            __m512 xk = _mm512_set1_ps(x[i * COLUMNS + k]);
            for (int v = 0; v < 4; v++) sums[i][v] = _mm512_fmadd_ps(w[v], xk, sums[i][v]);
        }
    }
    for (int i = 0; i < n; i++)
        for (int v = 0; v < 4; v++) _mm512_storeu_ps(y + i * ROWS + t * TILE_ROWS + v * 16, sums[i][v]);
}

/* Two compiled loops, as the Java kernels are: n must be a constant for the sums to stay in registers. */
static void product1(const int32_t *w, int t, const float *x, float *y) { tile(w, t, x, 1, y); }
static void product5(const int32_t *w, int t, const float *x, float *y) { tile(w, t, x, 5, y); }

static int compareDoubles(const void *a, const void *b) {
    double d = *(const double *) a - *(const double *) b;
    return (d > 0) - (d < 0);
}

int main(void) {
    size_t ints = (size_t) ROWS * COLUMNS / 2;
    int copies = 16;
    int32_t *matrices[16];
    srand(1);
    for (int c = 0; c < copies; c++) {
        matrices[c] = aligned_alloc(64, ints * sizeof(int32_t));
        for (size_t j = 0; j < ints; j++) {
            float low = (rand() % 2001 - 1000) / 20000.0f, high = (rand() % 2001 - 1000) / 20000.0f;
            uint32_t lowBits, highBits;
            memcpy(&lowBits, &low, 4);
            memcpy(&highBits, &high, 4);
            matrices[c][j] = (int32_t) ((lowBits >> 16) | (highBits & 0xFFFF0000u));
        }
    }
    float *x = malloc(5 * COLUMNS * sizeof(float)), *y = calloc(5 * ROWS, sizeof(float));
    for (int i = 0; i < 5 * COLUMNS; i++) x[i] = (rand() % 2000) / 1000.0f - 1;
    double *micros = malloc(ITERATIONS * sizeof(double));
    int tiles = ROWS / TILE_ROWS;
    for (int footprint = 1; footprint <= copies; footprint += copies - 1) {
        for (int inputs = 1; inputs <= 5; inputs += 4) {
            void (*product)(const int32_t *, int, const float *, float *) = inputs == 1 ? product1 : product5;
            for (int run = -ITERATIONS; run < ITERATIONS; run++) { /* the first half warms up */
                const int32_t *w = matrices[(run + ITERATIONS) % footprint];
                double start = nanos();
#pragma omp parallel for schedule(static)
                for (int t = 0; t < tiles; t++) product(w, t, x, y);
                if (run >= 0) micros[run] = (nanos() - start) / 1e3;
            }
            qsort(micros, ITERATIONS, sizeof(double), compareDoubles);
            printf("%4.1f MiB of weights, %d input%s: %.1f us (median of %d, %d threads)\n",
                    footprint * ints * sizeof(int32_t) / 1048576.0, inputs, inputs == 1 ? " " : "s",
                    micros[ITERATIONS / 2], ITERATIONS, omp_get_max_threads());
        }
    }
    return y[1] == 12345.0f; /* keeps the products */
}
