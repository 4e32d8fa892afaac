package dev.specd.serving.api;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code POST /v1/completions}.
 *
 * @param prompt a string, a list of strings (one choice per prompt), a list of token ids, or a list
 *     of lists of token ids
 * @param logprobs accepted as null or 0 only
 * @param echo accepted as false only
 * @param bestOf accepted as 1 only
 * @param suffix accepted as null only
 */
public record CompletionRequest(
        String model,
        JsonNode prompt,
        Integer maxTokens,
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
        Integer logprobs,
        Boolean echo,
        Integer bestOf,
        String suffix) implements CommonFields {}
