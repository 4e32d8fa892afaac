package dev.specd.metrics;

/**
 * Every meter specd publishes: its name (Micrometer dot style under {@code specd.}), its kind and
 * what it means. The description is also the Prometheus {@code # HELP} line, so this enum is the one
 * place a meter is named and explained. Prometheus names are derived by Micrometer: dots become
 * underscores, counters gain {@code _total}, timers {@code _seconds}.
 *
 * <p>The speculation counters are shaped like vLLM's spec-decode counters, so that the usual
 * dashboards' formulas carry over: acceptance rate = accepted / draft tokens, mean acceptance
 * length = 1 + accepted / drafts, per-position acceptance = accepted at position i / drafts.
 */
public enum MeterName {

    SPEC_DRAFTS(Kind.COUNTER, "specd.spec.drafts",
            "Verification steps that drafted at least one token (vLLM num_drafts); steps with no draft are plain decoding."),
    SPEC_DRAFT_TOKENS(Kind.COUNTER, "specd.spec.draft.tokens",
            "Tokens proposed by the drafter and verified by the target (vLLM num_draft_tokens)."),
    SPEC_ACCEPTED_TOKENS(Kind.COUNTER, "specd.spec.accepted.tokens",
            "Drafted tokens the target accepted (vLLM num_accepted_tokens); the bonus or correction token is not counted."),
    SPEC_ACCEPTED_TOKENS_PER_POSITION(Kind.COUNTER, "specd.spec.accepted.tokens.per.position",
            "Drafts whose token at this 0-based drafted position was accepted (vLLM num_accepted_tokens_per_pos); tag position."),

    TIME_TO_FIRST_TOKEN(Kind.TIMER, "specd.request.time.to.first.token",
            "From a request's arrival to its first generated token (queue time and prefill included)."),
    INTER_TOKEN_LATENCY(Kind.TIMER, "specd.request.inter.token.latency",
            "Time per output token after the first: the gap between two emissions to a request, shared evenly "
                    + "by the tokens of the later one (speculation emits several at once)."),
    END_TO_END_LATENCY(Kind.TIMER, "specd.request.e2e.latency",
            "From a request's arrival to its last token (or to its cancellation)."),
    ITERATION(Kind.TIMER, "specd.scheduler.iteration",
            "Wall time of one scheduler iteration: drafting, the target forward(s) and verification for the whole "
                    + "running batch. A client's inter-token latency beyond it is the server's own overhead."),
    QUEUE_TIME(Kind.TIMER, "specd.request.queue.time",
            "From a request's arrival to the moment it joins the running batch."),

    PROMPT_TOKENS(Kind.COUNTER, "specd.tokens.prompt", "Prompt tokens of requests that joined the running batch."),
    GENERATION_TOKENS(Kind.COUNTER, "specd.tokens.generation", "Tokens generated and emitted to clients."),
    REQUESTS_FINISHED(Kind.COUNTER, "specd.requests.finished",
            "Sequences (one per choice) that left the running batch; tag reason: stop, length, cancelled (client "
                    + "went away), abort (timeout or shutdown ended it), error."),

    REQUESTS_RUNNING(Kind.GAUGE, "specd.requests.running",
            "Sequences (one per choice) holding a KV-cache slot in the running batch, paused ones included."),
    REQUESTS_WAITING(Kind.GAUGE, "specd.requests.waiting", "Sequences admitted to the queue, waiting for a slot."),
    DRAFT_VERSION(Kind.GAUGE, "specd.draft.version",
            "Version number of the draft model serving now (0 = the pretrained base draft; -1 = no draft model)."),
    DRAFT_SWAPS(Kind.COUNTER, "specd.draft.swaps",
            "Draft models swapped in between two scheduler iterations (promotions, rollbacks, registry changes)."),
    DRAFT_REFUSALS(Kind.COUNTER, "specd.draft.refusals",
            "Draft versions refused because they failed their checksums or did not load; the previous draft kept serving."),

    TRAINER_STEPS(Kind.FUNCTION_COUNTER, "specd.trainer.steps", "Online distillation steps applied to the candidate draft."),
    TRAINER_LOSS(Kind.GAUGE, "specd.trainer.loss",
            "Distillation loss of the candidate draft, exponentially weighted over steps (weight 0.05); NaN before the first."),
    TRAINER_RECORDS_CONSUMED(Kind.FUNCTION_COUNTER, "specd.trainer.records.consumed",
            "Query-log records the online trainer has read."),
    TRAINER_TRAINING_SHARE(Kind.GAUGE, "specd.trainer.training.share",
            "Share of wall time since the trainer started spent training and evaluating (the compute it took)."),
    TRAINER_DEFERRED_STEPS(Kind.FUNCTION_COUNTER, "specd.trainer.steps.deferred",
            "Training steps the capacity governor held back at least once because serving needed the compute."),
    TRAINER_PROMOTIONS(Kind.FUNCTION_COUNTER, "specd.trainer.promotions",
            "Candidate drafts the online trainer promoted to serving."),
    TRAINER_CANDIDATE_ACCEPTANCE(Kind.GAUGE, "specd.trainer.candidate.expected.acceptance",
            "Expected acceptance (mean of sum min(p, q) over held-out positions) of the candidate draft at the last "
                    + "evaluation; NaN before the first."),
    TRAINER_SERVING_ACCEPTANCE(Kind.GAUGE, "specd.trainer.serving.expected.acceptance",
            "Expected acceptance of the serving draft on the same held-out positions at the last evaluation; NaN before "
                    + "the first."),

    QUERY_LOG_WRITTEN(Kind.FUNCTION_COUNTER, "specd.querylog.records.written", "Query-log records durably written."),
    QUERY_LOG_DROPPED(Kind.FUNCTION_COUNTER, "specd.querylog.records.dropped",
            "Query-log records dropped because the writer could not keep up (requests are never slowed for the log)."),
    QUERY_LOG_BYTES(Kind.FUNCTION_COUNTER, "specd.querylog.written",
            "Bytes of query-log records written.", "bytes"),
    QUERY_LOG_QUEUED(Kind.GAUGE, "specd.querylog.records.queued", "Query-log records waiting for the writer.");

    /** Tag of {@link #SPEC_ACCEPTED_TOKENS_PER_POSITION}: the 0-based drafted position, as vLLM labels it. */
    public static final String POSITION_TAG = "position";
    /** Tag of {@link #REQUESTS_FINISHED}. */
    public static final String REASON_TAG = "reason";

    public enum Kind { COUNTER, FUNCTION_COUNTER, GAUGE, TIMER }

    private final Kind kind;
    private final String meterName;
    private final String description;
    private final String baseUnit;

    MeterName(Kind kind, String meterName, String description) {
        this(kind, meterName, description, null);
    }

    MeterName(Kind kind, String meterName, String description, String baseUnit) {
        this.kind = kind;
        this.meterName = meterName;
        this.description = description;
        this.baseUnit = baseUnit;
    }

    public Kind kind() {
        return kind;
    }

    /** The Micrometer name, e.g. {@code specd.spec.drafts}. */
    public String meterName() {
        return meterName;
    }

    public String description() {
        return description;
    }

    /** Micrometer base unit, or null when the kind implies it (seconds for timers) or there is none. */
    public String baseUnit() {
        return baseUnit;
    }
}
