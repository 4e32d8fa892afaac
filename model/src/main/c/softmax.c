/*
 * Attention's softmax over one block's scores, in C for AVX-512: the Vector API's version (masked
 * vectors, so that every pass runs on every call; its exp a call into the JDK's vector math
 * library) took 1.6 µs a layer for the fifteen queries of a five-row block of the default target,
 * a sixth of the attention it normalizes.
 *
 * exp is computed here, not taken from a library: exp(x) = 2^n · e^r with n = round(x / ln 2) and
 * r = x − n·ln 2 (ln 2 in two parts, so that r is exact to float32), e^r by the degree-7 Taylor
 * polynomial on |r| ≤ ln 2 / 2 (truncation below 2^-27), 2^n added into the exponent. Within 1 ulp
 * of exp for the arguments softmax gives it, x − max in [−87, 0] (0.94 ulp at worst over every
 * float there, against the C library's double exp); below −87 it returns 0 (e^−87 is 1.6e-38, a
 * weight no sum that includes the maximum's 1 can register). A NaN stays NaN, so a NaN score makes
 * its whole row NaN, as the Java softmax does. These weights are not bit for bit the Java softmax's
 * (up to 8 ulp apart); NativeTilesTest holds them to the exact ones.
 *
 * Built with the tile kernels by build.sh; loaded by NativeTiles under the same conditions.
 */
#include <immintrin.h>

enum { LANES = 16 };

static inline __m512 exp_nonpositive(__m512 x) {
    const __m512 log2e = _mm512_set1_ps(1.44269504088896341f);
    const __m512 ln2High = _mm512_set1_ps(0.693145751953125f);
    const __m512 ln2Low = _mm512_set1_ps(1.42860682030941723212e-6f);
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, log2e), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, ln2High, x);
    r = _mm512_fnmadd_ps(n, ln2Low, r);
    __m512 p = _mm512_set1_ps(1.0f / 5040);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 720));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    __m512i scaled = _mm512_add_epi32(_mm512_castps_si512(p), _mm512_slli_epi32(_mm512_cvtps_epi32(n), 23));
    __mmask16 representable = _mm512_cmp_ps_mask(x, _mm512_set1_ps(-87.0f), _CMP_NLT_UQ); /* NaN too */
    return _mm512_maskz_mov_ps(representable, _mm512_castsi512_ps(scaled));
}

/* The lanes of [j, end) of a vector that starts at j. */
static inline __mmask16 valid(int j, int end) {
    int left = end - j;
    return left >= LANES ? (__mmask16) 0xFFFF : (__mmask16) ((1u << left) - 1);
}

/*
 * Rows i in [0, count) of s, each stride floats from the last and starting at at: row i's first
 * firstLength + i / groupSize scores (the block's queries, groupSize heads a row, its rows at
 * consecutive positions) become exp(s − max) / Σ exp(s − max), and the rest of the row up to span
 * becomes 0.
 */
void specd_softmax_block(float *s, int at, int stride, int count, int groupSize, int firstLength, int span) {
    for (int i = 0; i < count; i++) {
        float *row = s + at + (long) i * stride;
        int length = firstLength + i / groupSize;
        __m512 maxes = _mm512_set1_ps(-__builtin_inff());
        for (int j = 0; j < length; j += LANES)
            maxes = _mm512_mask_max_ps(maxes, valid(j, length), maxes, _mm512_maskz_loadu_ps(valid(j, length), row + j));
        __m512 shift = _mm512_set1_ps(_mm512_reduce_max_ps(maxes));
        __m512 sums = _mm512_setzero_ps();
        for (int j = 0; j < length; j += LANES) {
            __mmask16 lanes = valid(j, length);
            __m512 e = _mm512_maskz_mov_ps(lanes, exp_nonpositive(_mm512_sub_ps(_mm512_maskz_loadu_ps(lanes, row + j), shift)));
            _mm512_mask_storeu_ps(row + j, lanes, e);
            sums = _mm512_add_ps(sums, e);
        }
        __m512 inverse = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(sums));
        for (int j = 0; j < length; j += LANES) {
            __mmask16 lanes = valid(j, length);
            _mm512_mask_storeu_ps(row + j, lanes, _mm512_mul_ps(_mm512_maskz_loadu_ps(lanes, row + j), inverse));
        }
        for (int j = length; j < span; j++) row[j] = 0;
    }
}
