package dev.specd.serving.scheduler;

import dev.specd.trainer.online.LoadSignal;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.locks.Lock;
import java.util.function.IntSupplier;

/**
 * Serving's load as the online trainer's capacity governor reads it, over the last 10 seconds:
 * the share of wall time the inference thread spent inside speculative steps, and the p99 of
 * request latencies (arrival to last token) that ended in that window. Ten seconds is long enough
 * that one idle gap between bursts does not open the door to training, and short enough that the
 * trainer resumes soon after traffic stops.
 *
 * <p>The inference thread records; the training thread reads. Both take this object's lock, once
 * per step and once per governor question: uncontended and far cheaper than a forward pass.
 */
public final class ServingLoad implements LoadSignal {

    static final Duration WINDOW = Duration.ofSeconds(10);
    private static final int BUCKETS = 10;
    private static final long BUCKET_NANOS = WINDOW.toNanos() / BUCKETS;
    /** Latencies kept for the p99: the most recent ones, at most this many. */
    private static final int LATENCIES = 512;

    private final IntSupplier active;
    private final Lock computeLock;
    private final long createdNanos = System.nanoTime();
    /** Busy nanoseconds per bucket of wall time, and which bucket (nanoTime / BUCKET_NANOS) each slot holds. */
    private final long[] busy = new long[BUCKETS];
    private final long[] bucketOf = new long[BUCKETS];
    /** A ring of recent latencies and when each ended. */
    private final long[] latencyNanos = new long[LATENCIES];
    private final long[] endedAtNanos = new long[LATENCIES];
    private int latencyCount;
    private int nextLatency;

    ServingLoad(IntSupplier active, Lock computeLock) {
        this.active = active;
        this.computeLock = computeLock;
        Arrays.fill(bucketOf, Long.MIN_VALUE);
    }

    @Override
    public Lock computeLock() {
        return computeLock;
    }

    /** The inference thread spent {@code [startNanos, endNanos)} inside a step; counted in the bucket it ended in. */
    synchronized void busy(long startNanos, long endNanos) {
        long bucket = Math.floorDiv(endNanos, BUCKET_NANOS);
        int slot = (int) Math.floorMod(bucket, BUCKETS);
        if (bucketOf[slot] != bucket) {
            bucketOf[slot] = bucket;
            busy[slot] = 0;
        }
        busy[slot] += endNanos - startNanos;
    }

    /** A request ended {@code nanos} after it arrived. */
    synchronized void latency(long endedAt, long nanos) {
        latencyNanos[nextLatency] = nanos;
        endedAtNanos[nextLatency] = endedAt;
        nextLatency = (nextLatency + 1) % LATENCIES;
        latencyCount = Math.min(latencyCount + 1, LATENCIES);
    }

    @Override
    public int activeRequests() {
        return active.getAsInt();
    }

    @Override
    public synchronized double inferenceBusyFraction() {
        long now = System.nanoTime();
        long current = Math.floorDiv(now, BUCKET_NANOS);
        long total = 0;
        for (int slot = 0; slot < BUCKETS; slot++) {
            if (bucketOf[slot] > current - BUCKETS) {
                total += busy[slot];
            }
        }
        long windowStart = Math.max(createdNanos, (current - BUCKETS + 1) * BUCKET_NANOS);
        return Math.min(1.0, (double) total / Math.max(1, now - windowStart));
    }

    @Override
    public synchronized Duration recentP99Latency() {
        long since = System.nanoTime() - WINDOW.toNanos();
        long[] recent = new long[latencyCount];
        int count = 0;
        for (int i = 0; i < latencyCount; i++) {
            if (endedAtNanos[i] - since > 0) {
                recent[count++] = latencyNanos[i];
            }
        }
        if (count == 0) {
            return Duration.ZERO;
        }
        Arrays.sort(recent, 0, count);
        return Duration.ofNanos(recent[(int) Math.ceil(0.99 * count) - 1]);
    }
}
