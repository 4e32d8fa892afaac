package dev.specd.querylog;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One served request as the draft trainer needs it: what was asked, what the target produced and how
 * the draft fared. The arrays belong to the record once it is made; callers must not change them
 * afterwards (they are not copied, to keep the serving path cheap).
 *
 * @param requestId the id the response carried
 * @param createdAtMillis when the request arrived, epoch milliseconds
 * @param endpoint {@code "completions"} or {@code "chat.completions"}
 * @param promptTokens the prompt as the target saw it (chat template applied)
 * @param outputTokens the generated tokens
 * @param seed the request's seed, or null when it had none
 * @param user the request's end-user tag, or null
 * @param metadata the request's metadata; null is taken as empty
 * @param domain the metadata's {@code "domain"} tag, or null
 * @param draftVersion the draft checkpoint that served the request (e.g. {@code "v0000"}), or null
 * @param drafter {@code "model"}, {@code "ngram"}, {@code "hybrid"} or {@code "none"}, or null
 * @param draftedPerStep [steps] tokens drafted at each verification step (0 for a plain decoding step)
 * @param acceptedPerStep [steps] of those, how many the target accepted
 * @param targetTopLogprobs one per output token: the target's distribution that produced it
 */
public record QueryRecord(
        String requestId,
        long createdAtMillis,
        String endpoint,
        int[] promptTokens,
        int[] outputTokens,
        double temperature,
        int topK,
        double topP,
        Long seed,
        int maxTokens,
        String user,
        Map<String, String> metadata,
        String domain,
        String draftVersion,
        String drafter,
        int[] draftedPerStep,
        int[] acceptedPerStep,
        List<TopLogprobs> targetTopLogprobs) {

    public QueryRecord {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(promptTokens, "promptTokens");
        Objects.requireNonNull(outputTokens, "outputTokens");
        Objects.requireNonNull(draftedPerStep, "draftedPerStep");
        Objects.requireNonNull(acceptedPerStep, "acceptedPerStep");
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        targetTopLogprobs = List.copyOf(targetTopLogprobs);
        if (draftedPerStep.length != acceptedPerStep.length) {
            throw new IllegalArgumentException("drafted counts for " + draftedPerStep.length
                    + " steps but accepted counts for " + acceptedPerStep.length);
        }
        if (targetTopLogprobs.size() != outputTokens.length) {
            throw new IllegalArgumentException("target distributions for " + targetTopLogprobs.size()
                    + " positions but " + outputTokens.length + " output tokens");
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof QueryRecord that
                && requestId.equals(that.requestId)
                && createdAtMillis == that.createdAtMillis
                && endpoint.equals(that.endpoint)
                && Arrays.equals(promptTokens, that.promptTokens)
                && Arrays.equals(outputTokens, that.outputTokens)
                && Double.compare(temperature, that.temperature) == 0
                && topK == that.topK
                && Double.compare(topP, that.topP) == 0
                && Objects.equals(seed, that.seed)
                && maxTokens == that.maxTokens
                && Objects.equals(user, that.user)
                && metadata.equals(that.metadata)
                && Objects.equals(domain, that.domain)
                && Objects.equals(draftVersion, that.draftVersion)
                && Objects.equals(drafter, that.drafter)
                && Arrays.equals(draftedPerStep, that.draftedPerStep)
                && Arrays.equals(acceptedPerStep, that.acceptedPerStep)
                && targetTopLogprobs.equals(that.targetTopLogprobs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(requestId, createdAtMillis, Arrays.hashCode(promptTokens), Arrays.hashCode(outputTokens));
    }

    /** Sizes rather than contents: a record holds thousands of numbers and would flood a log line. */
    @Override
    public String toString() {
        return "QueryRecord[requestId=" + requestId + ", createdAtMillis=" + createdAtMillis + ", endpoint=" + endpoint
                + ", promptTokens=" + promptTokens.length + ", outputTokens=" + outputTokens.length
                + ", steps=" + draftedPerStep.length + ", domain=" + domain + ", draftVersion=" + draftVersion
                + ", drafter=" + drafter + "]";
    }
}
