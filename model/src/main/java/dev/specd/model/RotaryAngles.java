package dev.specd.model;

/**
 * Rotary position embedding's cosines and sines for every position of a model's context, as
 * [positions][headDim / 2]: pair i of a head at position p is rotated by the angle
 * (p / ropeScalingFactor) · θ^(−2i/headDim), computed in double. Both backends rotate by these
 * same values, so they agree to the bit on the angles.
 */
public record RotaryAngles(int half, float[] cos, float[] sin) {

    public static RotaryAngles of(ModelConfig config) {
        int headDim = config.headDim();
        int half = headDim / 2;
        int positions = config.contextLength();
        double[] inverseFrequency = new double[half];
        for (int i = 0; i < half; i++) {
            inverseFrequency[i] = Math.pow(config.ropeTheta(), -2.0 * i / headDim);
        }
        float[] cos = new float[positions * half];
        float[] sin = new float[positions * half];
        for (int position = 0; position < positions; position++) {
            double scaledPosition = position / config.ropeScalingFactor();
            for (int i = 0; i < half; i++) {
                double angle = scaledPosition * inverseFrequency[i];
                cos[position * half + i] = (float) Math.cos(angle);
                sin[position * half + i] = (float) Math.sin(angle);
            }
        }
        return new RotaryAngles(half, cos, sin);
    }
}
