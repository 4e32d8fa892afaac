package dev.specd.serving.scheduler;

import java.util.Map;

/**
 * Where a generation came from, as the query log records it. A generation without one (its request
 * said {@code "store": false}) is not logged.
 *
 * @param endpoint {@code completions} or {@code chat.completions}
 * @param seed the seed this generation sampled with, or null when the request gave none
 */
public record Provenance(String requestId, String endpoint, long createdAtMillis, Long seed, String user,
        Map<String, String> metadata) {}
