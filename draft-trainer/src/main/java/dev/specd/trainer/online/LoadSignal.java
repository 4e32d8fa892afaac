package dev.specd.trainer.online;

import java.time.Duration;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What serving tells the trainer about its load. Serving implements it from its scheduler; every
 * method must be cheap and thread-safe, for the training thread asks before each step.
 */
public interface LoadSignal {

    /**
     * Requests in flight: queued or being decoded. A training step started now would delay each of
     * them by up to its own length, on the cores they share.
     */
    int activeRequests();

    /** Share of the recent window (serving chooses it, e.g. 10 s) the inference thread spent busy, in [0, 1]. */
    double inferenceBusyFraction();

    /** p99 request latency over the recent window; {@link Duration#ZERO} when nothing was served. */
    Duration recentP99Latency();

    /**
     * Held by the trainer for each training step, evaluation and model load, and by serving for
     * each scheduler iteration, so that a step never overlaps an iteration on the cores they share.
     * It costs serving at most one training step of latency, which the governor already accepts.
     */
    Lock computeLock();

    /** No serving in this process: always idle (`specd train` on a machine of its own). */
    LoadSignal IDLE = new LoadSignal() {
        private final Lock uncontended = new ReentrantLock();

        @Override
        public int activeRequests() {
            return 0;
        }

        @Override
        public double inferenceBusyFraction() {
            return 0;
        }

        @Override
        public Duration recentP99Latency() {
            return Duration.ZERO;
        }

        @Override
        public Lock computeLock() {
            return uncontended;
        }
    };
}
