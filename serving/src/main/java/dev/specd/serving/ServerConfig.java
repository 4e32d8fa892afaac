package dev.specd.serving;

import dev.specd.model.Backend;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything {@code specd serve} is configured with. The defaults live in one place: the options
 * of {@code ServeCommand}, which documents each in {@code --help}.
 *
 * @param models a directory holding {@code target/} and {@code draft/} checkpoints
 * @param dataDir where the query log is written
 * @param maxBatch the most sequences decoded together: the KV-cache slot count
 * @param queue the most sequences waiting for a slot before requests are refused with 429
 * @param apiKey required as a bearer token on /v1/* when not null
 * @param adminKey required as a bearer token on /admin/* when not null (else the API key, if any)
 * @param requestTimeout from arrival until a request is cut short
 * @param maxBodyBytes the largest request body accepted
 * @param dtype float32 or float16 compute
 * @param device cpu, or gpu on a host with a CUDA libtorch
 * @param minDraftTokens the fewest tokens drafted per step: 0 lets adaptive γ fall back to plain
 *     decoding when speculation does not pay; more pins a floor (for experiments that must draft)
 * @param maxDraftTokens the most tokens drafted per step (adaptive γ stays within it)
 * @param shutdownGrace how long in-flight requests may go on after shutdown begins
 * @param trainer where the online trainer runs: in this process, or elsewhere / not at all
 * @param backend what runs the target and draft models: pure-Java kernels or DJL's PyTorch engine
 */
public record ServerConfig(
        String host,
        int port,
        Path models,
        Path dataDir,
        DrafterKind drafter,
        int maxBatch,
        int queue,
        String apiKey,
        String adminKey,
        Duration requestTimeout,
        long maxBodyBytes,
        String dtype,
        String device,
        int minDraftTokens,
        int maxDraftTokens,
        Duration shutdownGrace,
        TrainerMode trainer,
        Backend backend) {

    /** The checkpoint directories under {@code models}. */
    public static final String TARGET_DIR = "target";
    public static final String DRAFT_DIR = "draft";

    /** What proposes draft tokens. */
    public enum DrafterKind { MODEL, NGRAM, HYBRID, NONE }

    /**
     * Where the online trainer runs. {@code off} leaves the draft to a trainer process of its own
     * ({@code specd train}) or to nobody; serving follows the draft registry either way.
     */
    public enum TrainerMode {
        IN_PROCESS("in-process"),
        OFF("off");

        private final String option;

        TrainerMode(String option) {
            this.option = option;
        }

        /** As written on the command line. */
        public String option() {
            return option;
        }

        public static TrainerMode of(String option) {
            for (TrainerMode mode : values()) {
                if (mode.option.equalsIgnoreCase(option)) {
                    return mode;
                }
            }
            throw new IllegalArgumentException("--trainer must be in-process or off, got '" + option + "'");
        }
    }

    public ServerConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be in [0, 65535], got " + port);
        }
        if (maxBatch < 1 || queue < 1) {
            throw new IllegalArgumentException("--max-batch and --queue must be >= 1, got " + maxBatch + " and " + queue);
        }
        if (maxBodyBytes < 1) {
            throw new IllegalArgumentException("--max-body must be >= 1, got " + maxBodyBytes);
        }
        if (minDraftTokens < 0 || maxDraftTokens < minDraftTokens) {
            throw new IllegalArgumentException("need 0 <= --min-draft-tokens <= --max-draft-tokens, got "
                    + minDraftTokens + " and " + maxDraftTokens);
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero() || shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("--request-timeout must be positive and --shutdown-grace not negative");
        }
    }

    public Path targetDir() {
        return models.resolve(TARGET_DIR);
    }

    public Path draftDir() {
        return models.resolve(DRAFT_DIR);
    }

    /** Whether this process trains the draft: only when it serves one. */
    public boolean trainsInProcess() {
        return trainer == TrainerMode.IN_PROCESS && usesDraftModel();
    }

    /** Whether the drafter needs the draft model. */
    public boolean usesDraftModel() {
        return drafter == DrafterKind.MODEL || drafter == DrafterKind.HYBRID;
    }
}
