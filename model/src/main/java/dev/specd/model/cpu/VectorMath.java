package dev.specd.model.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** The element-wise and reduction kernels of a forward, over float32 rows in plain arrays. */
final class VectorMath {

    /** The widest float vector of this machine: 16 lanes with AVX-512, 8 with AVX2. */
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private VectorMath() {}

    /** out = x / sqrt(mean(x²) + eps) ⊙ weight over one row of {@code weight.length} values, in float32. */
    static void rmsNorm(float[] x, int xOffset, float[] weight, float eps, float[] out, int outOffset) {
        int d = weight.length;
        int bound = F.loopBound(d);
        FloatVector squares = FloatVector.zero(F);
        int j = 0;
        for (; j < bound; j += F.length()) {
            FloatVector value = FloatVector.fromArray(F, x, xOffset + j);
            squares = value.fma(value, squares);
        }
        float sum = squares.reduceLanes(VectorOperators.ADD);
        for (; j < d; j++) {
            sum += x[xOffset + j] * x[xOffset + j];
        }
        float inverseRms = (float) (1 / Math.sqrt(sum / d + eps));
        for (j = 0; j < bound; j += F.length()) {
            FloatVector.fromArray(F, x, xOffset + j).mul(inverseRms).mul(FloatVector.fromArray(F, weight, j))
                    .intoArray(out, outOffset + j);
        }
        for (; j < d; j++) {
            out[outOffset + j] = x[xOffset + j] * inverseRms * weight[j];
        }
    }

    /**
     * In place over s[from, from + length): exp(s − max) / Σ exp(s − max). The last vector of each
     * pass is masked rather than finished lane by lane, so that every pass's vector operations run on
     * every call, however short the row: C2 does not inline a call it never saw run, and a Vector API
     * operation left as a call runs as its allocating Java fallback.
     */
    static void softmax(float[] s, int from, int length) {
        int end = from + length;
        FloatVector maxes = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (int j = from; j < end; j += F.length()) {
            VectorMask<Float> valid = F.indexInRange(j, end);
            maxes = maxes.lanewise(VectorOperators.MAX, FloatVector.fromArray(F, s, j, valid), valid);
        }
        FloatVector shift = FloatVector.broadcast(F, maxes.reduceLanes(VectorOperators.MAX));
        FloatVector sums = FloatVector.zero(F);
        for (int j = from; j < end; j += F.length()) {
            VectorMask<Float> valid = F.indexInRange(j, end);
            FloatVector e = FloatVector.fromArray(F, s, j, valid).sub(shift).lanewise(VectorOperators.EXP);
            e.intoArray(s, j, valid);
            sums = sums.add(e, valid);
        }
        FloatVector inverse = FloatVector.broadcast(F, 1 / sums.reduceLanes(VectorOperators.ADD));
        for (int j = from; j < end; j += F.length()) {
            VectorMask<Float> valid = F.indexInRange(j, end);
            FloatVector.fromArray(F, s, j, valid).mul(inverse).intoArray(s, j, valid);
        }
    }

    /**
     * SwiGLU's gating, in place over columns [from, to) of n rows of width {@code width}:
     * gate = silu(gate) ⊙ up, where silu(g) = g / (1 + exp(−g)).
     */
    static void swiGlu(float[] gate, float[] up, int n, int width, int from, int to) {
        FloatVector one = FloatVector.broadcast(F, 1f);
        int bound = from + F.loopBound(to - from);
        for (int i = 0; i < n; i++) {
            int row = i * width;
            int j = from;
            for (; j < bound; j += F.length()) {
                FloatVector g = FloatVector.fromArray(F, gate, row + j);
                FloatVector sigmoid = one.div(one.add(g.neg().lanewise(VectorOperators.EXP)));
                g.mul(sigmoid).mul(FloatVector.fromArray(F, up, row + j)).intoArray(gate, row + j);
            }
            for (; j < to; j++) {
                float g = gate[row + j];
                gate[row + j] = g / (1 + (float) Math.exp(-g)) * up[row + j];
            }
        }
    }
}
