package dev.specd.loadtest;

/**
 * The Prometheus names of the server's meters that the load test follows: the Prometheus form of
 * {@code dev.specd.metrics.MeterName} (dots become underscores, counters gain {@code _total}),
 * written out here because a client must not link against the server. The agreement test against a
 * live server fails if they drift apart.
 */
final class ServerMeters {

    static final String DRAFTS = "specd_spec_drafts_total";
    static final String DRAFT_TOKENS = "specd_spec_draft_tokens_total";
    static final String ACCEPTED_TOKENS = "specd_spec_accepted_tokens_total";
    static final String GENERATION_TOKENS = "specd_tokens_generation_total";
    /** Gauge: the serving draft's version number, 0 for the pretrained base, -1 without a draft model. */
    static final String DRAFT_VERSION = "specd_draft_version";

    private ServerMeters() {}
}
