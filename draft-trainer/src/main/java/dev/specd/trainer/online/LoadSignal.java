package dev.specd.trainer.online;

import java.time.Duration;

/**
 * What serving tells the trainer about its load. Serving implements it from its scheduler; every
 * method must be cheap and thread-safe, for the training thread asks before each step.
 */
public interface LoadSignal {

    /** Requests admitted or queued but not yet being decoded. */
    int waitingRequests();

    /** Share of the recent window (serving chooses it, e.g. 10 s) the inference thread spent busy, in [0, 1]. */
    double inferenceBusyFraction();

    /** p99 request latency over the recent window; {@link Duration#ZERO} when nothing was served. */
    Duration recentP99Latency();

    /** No serving in this process: always idle (`specd train` on a machine of its own). */
    LoadSignal IDLE = new LoadSignal() {
        @Override
        public int waitingRequests() {
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
    };
}
