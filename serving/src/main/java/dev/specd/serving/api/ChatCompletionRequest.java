package dev.specd.serving.api;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code POST /v1/chat/completions}.
 *
 * @param maxCompletionTokens OpenAI's newer name for max_tokens; give one or the other
 * @param logprobs accepted as null or false only
 * @param topLogprobs accepted as null or 0 only
 */
public record ChatCompletionRequest(
        String model,
        List<Message> messages,
        Integer maxTokens,
        Integer maxCompletionTokens,
        Double temperature,
        Double topP,
        Integer topK,
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> stop,
        Long seed,
        Integer n,
        Boolean stream,
        StreamOptions streamOptions,
        Boolean store,
        String user,
        Map<String, String> metadata,
        SpeculativeOptions speculative,
        Double frequencyPenalty,
        Double presencePenalty,
        Map<String, Double> logitBias,
        Boolean logprobs,
        Integer topLogprobs) implements CommonFields {

    /**
     * @param content a string, or a list of {@code {"type": "text", "text": ...}} parts
     * @param name accepted and ignored, as the template has no place for it
     */
    public record Message(String role, JsonNode content, String name) {}
}
