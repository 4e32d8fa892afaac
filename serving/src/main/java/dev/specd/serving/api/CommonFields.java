package dev.specd.serving.api;

import java.util.List;
import java.util.Map;

/**
 * The request fields that /v1/completions and /v1/chat/completions share, so that they are
 * validated in one place. Every field is optional (null when absent).
 */
public interface CommonFields {

    String model();

    Double temperature();

    Double topP();

    /** Extension (vLLM's): keep the k most likely tokens; 0 disables. */
    Integer topK();

    /** A string or a list of up to four strings. */
    List<String> stop();

    Long seed();

    Integer n();

    Boolean stream();

    StreamOptions streamOptions();

    /** false keeps the request out of the query log. */
    Boolean store();

    String user();

    Map<String, String> metadata();

    /** Extension: per-request speculation settings. */
    SpeculativeOptions speculative();

    /** Accepted at 0 only: penalties are not implemented. */
    Double frequencyPenalty();

    Double presencePenalty();

    /** Accepted empty only. */
    Map<String, Double> logitBias();

    record StreamOptions(Boolean includeUsage) {}

    /**
     * @param enabled false turns speculation off for this request
     * @param maxDraftTokens the most tokens drafted per step, 0 to the server's maximum
     * @param draftVersion the registered draft version ({@code v0000}) to draft with instead of the
     *     one serving, which online training may replace
     */
    record SpeculativeOptions(Boolean enabled, Integer maxDraftTokens, String draftVersion) {}
}
