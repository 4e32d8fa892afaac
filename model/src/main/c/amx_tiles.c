/*
 * Bf16Kernels' tile products on the tile matrix unit of Intel's Advanced Matrix Extensions
 * (AMX-BF16), for groups of inputs large enough to pay for it (NativeTiles decides).
 * TDPBF16PS multiplies an [M, 32] bfloat16 matrix by a [32, 16] one into [M, 16] float32 sums in
 * one instruction, whatever M up to 16: M is the inputs (rows of a forward), the 16 columns 16 rows
 * of W. The AVX-512 kernels do 4·M multiply-adds per column of a tile instead.
 *
 * The unit multiplies bfloat16, so each float32 input is split into three bfloat16 parts,
 * x = high + middle + low, exactly (8 bits of significand each), and multiplied three times. A
 * product of two bfloat16 is exact in float32, so every sum is a float32 sum of exact products:
 * float32 precision, in another order than the AVX-512 kernels' (not bit for bit theirs). The unit
 * flushes subnormal bfloat16 to zero, so inputs below about 2^-110 lose their low part, and those
 * below 2^-126 all of it; an infinite input gives NaN sums (its middle part is Inf − Inf).
 *
 * The weights stay in Bf16Matrix's tiles (the layout every kernel reads); each step of a tile is
 * rearranged into the unit's operand order in a buffer of the calling thread just before its
 * products, a few vector instructions per cache line. The unit's operand, for one step of 32 columns and one
 * block of 16 rows r: int p·16 + r holds W[r][2p] in its low half and W[r][2p + 1] in its high half.
 * Tile registers: sums 0–3 (one per block of a tile), the input parts 4–6, weights 7.
 *
 * Compiled with -mamx-tile -mamx-bf16 where the compiler knows them (build.sh); without them
 * specd_amx_init reports no AMX, and NativeTiles never calls specd_amx_bf16_product.
 */
#define _GNU_SOURCE
#include <stdint.h>

#if defined(__AMX_TILE__) && defined(__AMX_BF16__)
#include <cpuid.h>
#include <immintrin.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { LANES = 16, TILE_ROWS = 4 * LANES, PAIRS = TILE_ROWS / 2, BLOCKS = 4, STEP = 32, MAX_INPUTS = 16, PARTS = 3 };
enum { BLOCK_INTS = LANES * STEP / 2 }; /* one operand: 16 pairs of columns by 16 rows */
enum { ARCH_REQ_XCOMP_PERM = 0x1023, XFEATURE_XTILEDATA = 18 };
/* Inputs split at a time: the thread's buffer holds 6 bytes a column for each (1.5 MB at 1024 columns). */
enum { GROUP_INPUTS = 256 };

/*
 * 1 when this process may run the unit: the CPU reports AMX-TILE and AMX-BF16 (CPUID 7.0, EDX
 * bits 24 and 22) and Linux grants the tile data state (arch_prctl, kernel 5.16 or later); without
 * the grant the first tile instruction kills the process with SIGILL.
 */
int specd_amx_init(void) {
    unsigned eax, ebx, ecx, edx;
    return __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) && (edx & (1u << 22)) && (edx & (1u << 24))
            && syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) == 0;
}

/* LDTILECFG's 64-byte operand, palette 1. */
typedef struct __attribute__((packed)) {
    uint8_t palette, startRow, reserved[14];
    uint16_t bytesPerRow[16];
    uint8_t rows[16];
} TileConfig;

/* The calling thread's buffer, grown as needed and freed when the thread ends; 64-byte aligned, as
 * tile rows that straddle two cache lines load at half the speed. */
typedef struct { size_t bytes; _Alignas(64) char values[]; } Scratch;
static pthread_key_t scratchKey;
static pthread_once_t scratchOnce = PTHREAD_ONCE_INIT;

static void createScratchKey(void) { pthread_key_create(&scratchKey, free); }

static void *scratch(size_t bytes) {
    pthread_once(&scratchOnce, createScratchKey);
    Scratch *held = pthread_getspecific(scratchKey);
    if (held == NULL || held->bytes < bytes) {
        Scratch *grown = aligned_alloc(64, (sizeof(Scratch) + bytes + 63) / 64 * 64);
        if (grown == NULL) return NULL; /* the old buffer stays the thread's */
        free(held);
        grown->bytes = bytes;
        pthread_setspecific(scratchKey, grown);
        held = grown;
    }
    return held->values;
}

/*
 * x [n][columns] into parts[PARTS][n][padded] bfloat16: high = x with its low 16 bits cleared, then
 * the same of what is left, twice; each subtraction is exact. Columns past x are zero.
 */
static void split(const float *x, int n, int columns, int padded, uint16_t *parts) {
    const __m512i upperHalves = _mm512_set_epi16(63, 61, 59, 57, 55, 53, 51, 49, 47, 45, 43, 41, 39, 37, 35, 33, 31,
            29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1);
    const __m512i highHalf = _mm512_set1_epi32((int) 0xFFFF0000u);
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < padded; k += STEP) {
            int left = columns - k;
            __mmask16 first = left >= 16 ? 0xFFFF : (__mmask16) ((1u << left) - 1);
            __mmask16 second = left >= 32 ? 0xFFFF : left <= 16 ? 0 : (__mmask16) ((1u << (left - 16)) - 1);
            __m512 rest[2] = {_mm512_maskz_loadu_ps(first, x + (int64_t) i * columns + k),
                    _mm512_maskz_loadu_ps(second, x + (int64_t) i * columns + k + 16)};
            for (int part = 0; part < PARTS; part++) {
                __m512i bits[2];
                for (int h = 0; h < 2; h++) {
                    bits[h] = _mm512_and_si512(_mm512_castps_si512(rest[h]), highHalf);
                    rest[h] = _mm512_sub_ps(rest[h], _mm512_castsi512_ps(bits[h]));
                }
                _mm512_storeu_si512(parts + ((int64_t) part * n + i) * padded + k,
                        _mm512_permutex2var_epi16(bits[0], upperHalves, bits[1]));
            }
        }
    }
}

/*
 * Step s (columns [32s, 32s + 32)) of one tile of Bf16Matrix (PAIRS ints per column: int j of
 * vector v holds row 32v + j in its low half and row 32v + 16 + j in its high one) into the unit's
 * operands for that step, [block][pair][row]. With one pass of inputs, steps go through a ring of two
 * operand buffers, so that what is written stays in L1 (the whole tile's, 48 KB at 384 columns, took
 * twice as long); with several, the first pass keeps every step's for the others.
 */
static void rearrange(const int32_t *tile, int columns, int s, int32_t *operands) {
    const __m512i lowHalf = _mm512_set1_epi32(0xFFFF), highHalf = _mm512_set1_epi32((int) 0xFFFF0000u);
    for (int p = 0; p < STEP / 2; p++) {
        int k = s * STEP + 2 * p;
        for (int v = 0; v < 2; v++) {
            __m512i even = k < columns ? _mm512_loadu_si512(tile + (int64_t) k * PAIRS + v * LANES)
                                       : _mm512_setzero_si512();
            __m512i odd = k + 1 < columns ? _mm512_loadu_si512(tile + (int64_t) (k + 1) * PAIRS + v * LANES)
                                          : _mm512_setzero_si512();
            /* block 2v: the low halves of both columns; block 2v + 1: the high halves */
            _mm512_store_si512(operands + (2 * v * LANES + p) * LANES,
                    _mm512_or_si512(_mm512_and_si512(even, lowHalf), _mm512_slli_epi32(odd, 16)));
            _mm512_store_si512(operands + ((2 * v + 1) * LANES + p) * LANES,
                    _mm512_or_si512(_mm512_srli_epi32(even, 16), _mm512_and_si512(odd, highHalf)));
        }
    }
}

static void configure(int inputs) {
    TileConfig config;
    memset(&config, 0, sizeof config);
    config.palette = 1;
    for (int t = 0; t < 7; t++) { /* sums and input parts: a row per input, 64 bytes */
        config.rows[t] = (uint8_t) inputs;
        config.bytesPerRow[t] = 64;
    }
    config.rows[7] = LANES; /* weights: 16 pairs of columns by 16 rows of W */
    config.bytesPerRow[7] = 64;
    _tile_loadconfig(&config);
}

#define LOAD_SUMS(b)                                                                                          \
    if (accumulate) _tile_loadd(b, out + (b) * LANES, rowBytes);                                              \
    else _tile_zero(b);
#define MULTIPLY(b)                                                                                           \
    _tile_loadd(7, step + (b) * BLOCK_INTS, 64);                                                              \
    _tile_dpbf16ps(b, 4, 7);                                                                                  \
    _tile_dpbf16ps(b, 5, 7);                                                                                  \
    _tile_dpbf16ps(b, 6, 7);

/*
 * y[i][r] (+)= W[r] · x[i] for a group of inputs [0, n), n <= GROUP_INPUTS, in passes of at most 16,
 * of near-equal sizes, over each tile while it is in cache; buffer holds the operands and the split
 * inputs.
 */
static void group(const int32_t *w, int columns, int rows, int fromTile, int toTile, const float *x, int n, float *y,
        int accumulate, char *buffer) {
    int steps = (columns + STEP - 1) / STEP, padded = steps * STEP;
    int passes = (n + MAX_INPUTS - 1) / MAX_INPUTS;
    int kept = passes > 1 ? steps : 2; /* operand buffers: every step's, or a ring of two */
    int32_t *operands = (int32_t *) buffer;
    uint16_t *parts = (uint16_t *) (buffer + (size_t) steps * BLOCKS * BLOCK_INTS * sizeof(int32_t));
    split(x, n, columns, padded, parts);
    int rowBytes = rows * (int) sizeof(float), partBytes = padded * (int) sizeof(uint16_t);
    int configured = 0;
    for (int tile = fromTile; tile < toTile; tile++) {
        const int32_t *weights = w + (int64_t) tile * PAIRS * columns;
        int i = 0;
        for (int left = passes; left > 0; left--) {
            int count = (n - i + left - 1) / left;
            if (count != configured) {
                configure(count);
                configured = count;
            }
            float *out = y + (int64_t) i * rows + tile * TILE_ROWS;
            LOAD_SUMS(0) LOAD_SUMS(1) LOAD_SUMS(2) LOAD_SUMS(3)
            const uint16_t *high = parts + (int64_t) i * padded, *middle = high + (int64_t) n * padded,
                           *low = middle + (int64_t) n * padded;
            for (int s = 0; s < steps; s++) {
                int32_t *step = operands + (s % kept) * BLOCKS * BLOCK_INTS;
                if (left == passes) rearrange(weights, columns, s, step);
                _tile_loadd(4, high + s * STEP, partBytes);
                _tile_loadd(5, middle + s * STEP, partBytes);
                _tile_loadd(6, low + s * STEP, partBytes);
                MULTIPLY(0) MULTIPLY(1) MULTIPLY(2) MULTIPLY(3)
            }
            _tile_stored(0, out, rowBytes);
            _tile_stored(1, out + LANES, rowBytes);
            _tile_stored(2, out + 2 * LANES, rowBytes);
            _tile_stored(3, out + 3 * LANES, rowBytes);
            i += count;
        }
    }
    if (configured) _tile_release();
}

/*
 * y[i][r] += W[r] · x[i] (accumulate) or y[i][r] = W[r] · x[i] for inputs [0, n) and the rows of
 * whole tiles [fromTile, toTile) of Bf16Matrix's values w: x is [n][columns], y is [n][rows], the
 * inputs GROUP_INPUTS at a time. Returns 0, or -1 when the thread's buffer could not be allocated
 * (then y is untouched).
 */
int specd_amx_bf16_product(const int32_t *w, int columns, int rows, int fromTile, int toTile, const float *x, int n,
        float *y, int accumulate) {
    int steps = (columns + STEP - 1) / STEP, largest = n < GROUP_INPUTS ? n : GROUP_INPUTS;
    char *buffer = scratch((size_t) steps * BLOCKS * BLOCK_INTS * sizeof(int32_t)
            + (size_t) PARTS * largest * steps * STEP * sizeof(uint16_t));
    if (buffer == NULL) return -1;
    for (int first = 0; first < n; first += GROUP_INPUTS) {
        int count = n - first < GROUP_INPUTS ? n - first : GROUP_INPUTS;
        group(w, columns, rows, fromTile, toTile, x + (int64_t) first * columns, count, y + (int64_t) first * rows,
                accumulate, buffer);
    }
    return 0;
}

#else

int specd_amx_init(void) { return 0; }

int specd_amx_bf16_product(const int32_t *w, int columns, int rows, int fromTile, int toTile, const float *x, int n,
        float *y, int accumulate) {
    (void) w, (void) columns, (void) rows, (void) fromTile, (void) toTile, (void) x, (void) n, (void) y, (void) accumulate;
    return -1; /* never called: specd_amx_init said no */
}

#endif
