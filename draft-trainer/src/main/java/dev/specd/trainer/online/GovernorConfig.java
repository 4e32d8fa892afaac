package dev.specd.trainer.online;

import java.time.Duration;

/**
 * When serving leaves room for a training step. A step is granted only when every enabled check
 * passes; disable a check to make the policy more permissive.
 *
 * @param requireNoActiveRequests no request may be queued or being decoded
 * @param minIdleShare the inference thread must have been idle for at least this share of serving's
 *     recent window (0 disables)
 * @param latencyObjective serving's recent p99 latency must be within this objective
 *     ({@link Duration#ZERO} disables)
 * @param recheckInterval how long the training thread waits before asking again after a refusal
 */
public record GovernorConfig(boolean requireNoActiveRequests, double minIdleShare, Duration latencyObjective,
        Duration recheckInterval) {

    public GovernorConfig {
        if (!(minIdleShare >= 0 && minIdleShare <= 1)) {
            throw new IllegalArgumentException("minIdleShare must be in [0, 1], got " + minIdleShare);
        }
        if (latencyObjective.isNegative() || recheckInterval.isNegative() || recheckInterval.isZero()) {
            throw new IllegalArgumentException("latencyObjective must be >= 0 and recheckInterval > 0");
        }
    }

    /** No request in flight and the inference thread idle half the time; recheck every 20 ms. */
    public static GovernorConfig defaults() {
        return new GovernorConfig(true, 0.5, Duration.ZERO, Duration.ofMillis(20));
    }

    /** Train whenever asked: for a trainer process with no serving beside it, and for tests. */
    public static GovernorConfig always() {
        return new GovernorConfig(false, 0, Duration.ZERO, Duration.ofMillis(20));
    }

    public GovernorConfig withLatencyObjective(Duration latencyObjective) {
        return new GovernorConfig(requireNoActiveRequests, minIdleShare, latencyObjective, recheckInterval);
    }
}
