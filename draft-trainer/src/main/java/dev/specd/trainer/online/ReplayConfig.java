package dev.specd.trainer.online;

import java.time.Duration;

/**
 * How much recent traffic the trainer keeps and how it splits it.
 *
 * @param capacity training records kept; the oldest go first
 * @param heldOutCapacity held-out records kept for evaluation
 * @param maxAge records older than this are dropped: the draft should imitate today's traffic
 * @param heldOutFraction share of requests (by a hash of their id) kept out of training
 * @param balanceDomains sample each domain tag equally often (and evict from the largest domain),
 *     so a burst of one kind of traffic does not wash out the others
 * @param pollLimit records read from the source per query
 * @param seed seed of the sampler: the same records and seed give the same batches
 */
public record ReplayConfig(int capacity, int heldOutCapacity, Duration maxAge, double heldOutFraction,
        boolean balanceDomains, int pollLimit, long seed) {

    public ReplayConfig {
        if (capacity < 1 || heldOutCapacity < 0 || pollLimit < 1) {
            throw new IllegalArgumentException("capacity and pollLimit must be positive, heldOutCapacity >= 0");
        }
        if (!(heldOutFraction >= 0 && heldOutFraction < 1)) {
            throw new IllegalArgumentException("heldOutFraction must be in [0, 1), got " + heldOutFraction);
        }
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("maxAge must be positive, got " + maxAge);
        }
    }

    /** 4096 training and 512 held-out records of the last 24 hours, 10% held out, domains balanced. */
    public static ReplayConfig defaults() {
        return new ReplayConfig(4096, 512, Duration.ofHours(24), 0.1, true, 256, 42);
    }

    public ReplayConfig withCapacity(int capacity, int heldOutCapacity) {
        return new ReplayConfig(capacity, heldOutCapacity, maxAge, heldOutFraction, balanceDomains, pollLimit, seed);
    }

    public ReplayConfig withMaxAge(Duration maxAge) {
        return new ReplayConfig(capacity, heldOutCapacity, maxAge, heldOutFraction, balanceDomains, pollLimit, seed);
    }

    public ReplayConfig withHeldOutFraction(double heldOutFraction) {
        return new ReplayConfig(capacity, heldOutCapacity, maxAge, heldOutFraction, balanceDomains, pollLimit, seed);
    }

    public ReplayConfig withBalanceDomains(boolean balanceDomains) {
        return new ReplayConfig(capacity, heldOutCapacity, maxAge, heldOutFraction, balanceDomains, pollLimit, seed);
    }

    public ReplayConfig withSeed(long seed) {
        return new ReplayConfig(capacity, heldOutCapacity, maxAge, heldOutFraction, balanceDomains, pollLimit, seed);
    }
}
