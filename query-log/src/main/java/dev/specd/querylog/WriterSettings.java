package dev.specd.querylog;

import java.time.Duration;

/**
 * The writer's timings, fixed in production and shortened by tests.
 *
 * @param retentionEveryBatches retention runs after this many committed batches …
 * @param retentionInterval … or after this long, whichever comes first (an idle log still ages out)
 * @param retryInterval how long a failed writer waits before it reopens the database
 * @param closeTimeout how long {@link SqliteQueryLog#close()} waits for the queue to drain
 */
record WriterSettings(
        int retentionEveryBatches,
        Duration retentionInterval,
        Duration retryInterval,
        Duration closeTimeout,
        WriterHooks hooks) {

    static WriterSettings defaults() {
        return new WriterSettings(256, Duration.ofMinutes(1), Duration.ofSeconds(5), Duration.ofSeconds(10),
                WriterHooks.NONE);
    }
}
