package dev.specd.querylog;

import java.time.Duration;
import java.util.Objects;

/**
 * How a query log buffers, what it keeps and for how long.
 *
 * @param queueCapacity records that may wait for the writer; offers beyond are dropped
 * @param topK entries of the target's distribution serving captures per generated position
 *     ({@link TopLogprobs#fromLogits}); the log stores whatever a record carries
 * @param maxBytes bound on the database's pages in use; the oldest records are deleted past it
 * @param maxAge records created longer ago are deleted
 * @param batchSize most records committed in one transaction
 */
public record QueryLogConfig(int queueCapacity, int topK, long maxBytes, Duration maxAge, int batchSize) {

    public QueryLogConfig {
        Objects.requireNonNull(maxAge, "maxAge");
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queueCapacity must be positive, got " + queueCapacity);
        }
        if (topK < 1) {
            throw new IllegalArgumentException("topK must be positive, got " + topK);
        }
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be positive, got " + maxBytes);
        }
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("maxAge must be positive, got " + maxAge);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
        }
    }

    /** 10 000 queued records, top-20, 1 GiB, 7 days, 64 records per transaction. */
    public static QueryLogConfig defaults() {
        return new QueryLogConfig(10_000, 20, 1L << 30, Duration.ofDays(7), 64);
    }
}
