package dev.specd.model.cpu;

import jdk.incubator.vector.FloatVector;
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

    /** In place over s[0, length): exp(s − max) / Σ exp(s − max). */
    static void softmax(float[] s, int length) {
        int bound = F.loopBound(length);
        float max = Float.NEGATIVE_INFINITY;
        int j = 0;
        if (bound > 0) {
            FloatVector maxes = FloatVector.fromArray(F, s, 0);
            for (j = F.length(); j < bound; j += F.length()) {
                maxes = maxes.max(FloatVector.fromArray(F, s, j));
            }
            max = maxes.reduceLanes(VectorOperators.MAX);
        }
        for (; j < length; j++) {
            max = Math.max(max, s[j]);
        }
        FloatVector shift = FloatVector.broadcast(F, max);
        FloatVector sums = FloatVector.zero(F);
        for (j = 0; j < bound; j += F.length()) {
            FloatVector e = FloatVector.fromArray(F, s, j).sub(shift).lanewise(VectorOperators.EXP);
            e.intoArray(s, j);
            sums = sums.add(e);
        }
        float sum = sums.reduceLanes(VectorOperators.ADD);
        for (; j < length; j++) {
            s[j] = (float) Math.exp(s[j] - max);
            sum += s[j];
        }
        FloatVector inverse = FloatVector.broadcast(F, 1 / sum);
        for (j = 0; j < bound; j += F.length()) {
            FloatVector.fromArray(F, s, j).mul(inverse).intoArray(s, j);
        }
        for (; j < length; j++) {
            s[j] *= 1 / sum;
        }
    }

    /**
     * SwiGLU's gating over n rows: hidden[i] = silu(gate) ⊙ up, where row i of {@code gateUp} is
     * [gate | up], each {@code width} wide, and silu(g) = g / (1 + exp(−g)).
     */
    static void swiGlu(float[] gateUp, int n, int width, float[] hidden) {
        FloatVector one = FloatVector.broadcast(F, 1f);
        int bound = F.loopBound(width);
        for (int i = 0; i < n; i++) {
            int gate = i * 2 * width;
            int up = gate + width;
            int out = i * width;
            int j = 0;
            for (; j < bound; j += F.length()) {
                FloatVector g = FloatVector.fromArray(F, gateUp, gate + j);
                FloatVector sigmoid = one.div(one.add(g.neg().lanewise(VectorOperators.EXP)));
                g.mul(sigmoid).mul(FloatVector.fromArray(F, gateUp, up + j)).intoArray(hidden, out + j);
            }
            for (; j < width; j++) {
                float g = gateUp[gate + j];
                hidden[out + j] = g / (1 + (float) Math.exp(-g)) * gateUp[up + j];
            }
        }
    }
}
