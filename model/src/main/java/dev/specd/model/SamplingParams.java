package dev.specd.model;

/**
 * How logits become a next-token distribution. The same parameters are applied to the target's and
 * the draft's logits, so that speculative verification compares like with like.
 *
 * @param temperature 0 means greedy (the distribution is one-hot on the argmax)
 * @param topK keep the k most likely tokens; 0 disables
 * @param topP keep the smallest set of most likely tokens whose mass reaches p; 1 disables
 */
public record SamplingParams(double temperature, int topK, double topP) {

    public static final double MAX_TEMPERATURE = 2.0;

    public static final SamplingParams GREEDY = new SamplingParams(0, 0, 1);

    public SamplingParams {
        if (!(temperature >= 0 && temperature <= MAX_TEMPERATURE)) {
            throw new IllegalArgumentException(
                    "temperature must be between 0 and " + MAX_TEMPERATURE + ", got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top_k must be 0 (disabled) or positive, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        }
    }

    public static SamplingParams ofTemperature(double temperature) {
        return new SamplingParams(temperature, 0, 1);
    }

    public boolean greedy() {
        return temperature == 0;
    }
}
