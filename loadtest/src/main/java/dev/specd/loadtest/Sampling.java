package dev.specd.loadtest;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The sampling parameters a request is sent with. A workload line may override any of them.
 *
 * @param topP null to leave it to the server
 * @param topK null to leave it to the server
 */
public record Sampling(int maxTokens, double temperature, Double topP, Integer topK) {

    public Sampling {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("max_tokens must be at least 1, not " + maxTokens);
        }
        if (temperature < 0) {
            throw new IllegalArgumentException("temperature must not be negative, not " + temperature);
        }
    }

    /** These parameters with the fields that a workload line gives replaced. */
    Sampling overriddenBy(JsonNode line) {
        return new Sampling(
                line.has("max_tokens") ? line.get("max_tokens").asInt() : maxTokens,
                line.has("temperature") ? line.get("temperature").asDouble() : temperature,
                line.has("top_p") ? Double.valueOf(line.get("top_p").asDouble()) : topP,
                line.has("top_k") ? Integer.valueOf(line.get("top_k").asInt()) : topK);
    }
}
