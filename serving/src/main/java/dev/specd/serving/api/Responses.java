package dev.specd.serving.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.specd.trainer.online.DraftManifest;
import java.util.List;

/** The response bodies of the API, streamed chunks included. Field names become snake_case. */
public final class Responses {

    private Responses() {}

    public static final String TEXT_COMPLETION = "text_completion";
    public static final String CHAT_COMPLETION = "chat.completion";
    public static final String CHAT_COMPLETION_CHUNK = "chat.completion.chunk";

    /** A /v1/completions response, and each of its streamed chunks (same shape, as in OpenAI's API). */
    public record Completion(String id, String object, long created, String model, List<CompletionChoice> choices,
            @JsonInclude(JsonInclude.Include.NON_NULL) Usage usage,
            @JsonInclude(JsonInclude.Include.NON_NULL) Speculative speculative) {}

    /** @param finishReason null in chunks until the choice ends */
    public record CompletionChoice(int index, String text, String finishReason) {}

    public record ChatCompletion(String id, String object, long created, String model, List<ChatChoice> choices,
            Usage usage, Speculative speculative) {}

    public record ChatChoice(int index, AssistantMessage message, String finishReason) {}

    public record AssistantMessage(String role, String content) {}

    public record ChatChunk(String id, String object, long created, String model, List<ChatChunkChoice> choices,
            @JsonInclude(JsonInclude.Include.NON_NULL) Usage usage,
            @JsonInclude(JsonInclude.Include.NON_NULL) Speculative speculative) {}

    public record ChatChunkChoice(int index, Delta delta, String finishReason) {}

    /** @param role only in a choice's first chunk */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Delta(String role, String content) {}

    public record Usage(int promptTokens, int completionTokens, int totalTokens) {

        public static Usage of(int promptTokens, int completionTokens) {
            return new Usage(promptTokens, completionTokens, promptTokens + completionTokens);
        }
    }

    /**
     * Speculation statistics of a response, summed over its choices: the extra top-level object
     * (never inside a standard field).
     *
     * @param acceptanceRate accepted / drafted tokens; null when nothing was drafted
     * @param meanAcceptedLength 1 + accepted tokens per draft (vLLM's mean acceptance length); null
     *     when nothing was drafted
     * @param draftVersion the draft version the request pinned, else the one serving when its last
     *     choice ended (drafts are swapped between iterations, so a long request may have seen two);
     *     null without a draft model
     * @param drafter model, ngram, hybrid, or none
     */
    public record Speculative(long draftedTokens, long acceptedTokens, Double acceptanceRate, Double meanAcceptedLength,
            String draftVersion, String drafter) {}

    public record ModelList(String object, List<ModelCard> data) {}

    /** @param contextLength extension: the longest prompt + max_tokens served */
    public record ModelCard(String id, String object, long created, String ownedBy, int contextLength) {}

    /** {@code GET /health} and {@code GET /ready} when all is well. */
    public record Health(String status) {}

    /**
     * {@code GET /admin/status}: what the scheduler is doing.
     *
     * @param status loading, ready or shutting_down
     * @param running sequences holding a KV-cache slot
     * @param waiting sequences queued for a slot
     */
    public record ServerStatus(String status, int running, int waiting, int maxBatch, int queueCapacity, String model,
            int contextLength, String drafter, String draftVersion) {}

    /**
     * {@code GET /admin/drafts}: every registered draft version, oldest first.
     *
     * @param serving the version the inference thread drafts with now
     * @param current the registry's current version, which serving follows; the two differ only while
     *     a swap is under way or after serving refused the current version (see the server log);
     *     null when the registry's pointer cannot be read
     */
    public record DraftList(String serving, String current, List<DraftEntry> versions) {}

    /**
     * @param manifest where the version came from, how it evaluated, its files' checksums; null when
     *     it cannot be read
     * @param error why the manifest cannot be read
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DraftEntry(String version, boolean serving, boolean current, DraftManifest manifest, String error) {}

    /** After a promotion or rollback: the registry's current version, and the version serving once swapped. */
    public record DraftChange(String current, String serving) {}
}
