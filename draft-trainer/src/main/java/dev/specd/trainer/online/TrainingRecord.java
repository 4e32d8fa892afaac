package dev.specd.trainer.online;

import dev.specd.querylog.QueryRecord;
import dev.specd.querylog.StoredQuery;
import dev.specd.querylog.TopLogprobs;
import java.util.List;

/**
 * What the trainer needs of one served request: the prompt, what the target produced, and the
 * target's distribution at every produced position. The query log holds more (sampling parameters,
 * acceptance counts); {@link #from} keeps only this.
 *
 * @param id the log's sequence number (increasing)
 * @param requestId stable id of the request; decides the held-out slice
 * @param createdAtMillis when it was served (epoch milliseconds); decides its age
 * @param domain a traffic tag for balancing, {@link #DEFAULT_DOMAIN} when untagged
 * @param target one distribution per output token: {@code target.get(j)} is the target's top-k
 *     (temperature 1) and tail mass when it produced {@code outputTokens[j]} after reading
 *     prompt + output[:j]
 */
public record TrainingRecord(long id, String requestId, long createdAtMillis, String domain, int[] promptTokens,
        int[] outputTokens, List<TopLogprobs> target) {

    public static final String DEFAULT_DOMAIN = "default";

    public TrainingRecord {
        if (outputTokens.length != target.size()) {
            throw new IllegalArgumentException("record " + id + ": " + outputTokens.length + " output tokens but "
                    + target.size() + " target distributions");
        }
        domain = domain == null || domain.isBlank() ? DEFAULT_DOMAIN : domain;
        promptTokens = promptTokens.clone();
        outputTokens = outputTokens.clone();
        target = List.copyOf(target);
    }

    /** The trainer's view of a query-log record. */
    public static TrainingRecord from(StoredQuery stored) {
        QueryRecord record = stored.record();
        return new TrainingRecord(stored.id(), record.requestId(), record.createdAtMillis(), record.domain(),
                record.promptTokens(), record.outputTokens(), record.targetTopLogprobs());
    }

    @Override
    public int[] promptTokens() {
        return promptTokens.clone();
    }

    @Override
    public int[] outputTokens() {
        return outputTokens.clone();
    }

    /** Token {@code i} of prompt + output. */
    int token(int i) {
        return i < promptTokens.length ? promptTokens[i] : outputTokens[i - promptTokens.length];
    }

    int promptLength() {
        return promptTokens.length;
    }

    int outputLength() {
        return outputTokens.length;
    }

    /**
     * Whether the record can teach a draft of {@code vocabSize} tokens: every token and logged id
     * fits it, and every position logged at least one id.
     */
    boolean usableWith(int vocabSize) {
        for (int i = 0; i < promptTokens.length + outputTokens.length; i++) {
            int token = token(i);
            if (token < 0 || token >= vocabSize) {
                return false;
            }
        }
        for (TopLogprobs distribution : target) {
            if (distribution.size() == 0) {
                return false;
            }
            for (int id : distribution.tokenIds()) {
                if (id < 0 || id >= vocabSize) {
                    return false;
                }
            }
        }
        return true;
    }
}
