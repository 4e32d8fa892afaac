package dev.specd.model.cpu;

import dev.specd.model.ModelConfig;
import dev.specd.model.RotaryAngles;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Rotary position embedding in Hugging Face's rotate-half layout: the pair (x[i], x[i + D/2]) of
 * each head is rotated by the angle position · θ^(−2i/D) (position divided by the linear scaling
 * factor), with {@link RotaryAngles}' table, shared with the DJL backend.
 */
final class RotaryTable {

    private static final VectorSpecies<Float> F = VectorMath.F;

    private final float[] cos;
    private final float[] sin;
    private final int half;

    RotaryTable(ModelConfig config) {
        RotaryAngles angles = RotaryAngles.of(config);
        half = angles.half();
        cos = angles.cos();
        sin = angles.sin();
    }

    /** Rotates {@code heads} consecutive heads of x, starting at {@code offset}, to {@code position}. */
    void rotate(float[] x, int offset, int heads, int position) {
        int table = position * half;
        int bound = F.loopBound(half);
        for (int head = 0; head < heads; head++) {
            int first = offset + head * 2 * half;
            int i = 0;
            for (; i < bound; i += F.length()) {
                FloatVector a = FloatVector.fromArray(F, x, first + i);
                FloatVector b = FloatVector.fromArray(F, x, first + half + i);
                FloatVector c = FloatVector.fromArray(F, cos, table + i);
                FloatVector s = FloatVector.fromArray(F, sin, table + i);
                a.mul(c).sub(b.mul(s)).intoArray(x, first + i);
                b.mul(c).add(a.mul(s)).intoArray(x, first + half + i);
            }
            for (; i < half; i++) {
                float a = x[first + i];
                float b = x[first + half + i];
                float c = cos[table + i];
                float s = sin[table + i];
                x[first + i] = a * c - b * s;
                x[first + half + i] = b * c + a * s;
            }
        }
    }
}
