package dev.specd.trainer.online;

import java.util.function.LongSupplier;

/**
 * Grants training steps only on capacity serving does not need. The training thread asks before
 * every step, so when load arrives at most the step already running finishes: training yields
 * within one step. Thread-safe: the training thread asks, anyone may read the statistics.
 */
public final class CapacityGovernor {

    /** Counters since the governor was made. */
    public record Stats(long granted, long deferredSteps, long refusals, double trainingShare, String lastRefusal) {}

    private final LoadSignal load;
    private final GovernorConfig config;
    private final LongSupplier nanoTime;
    private final long startedAt;
    private long granted;
    private long deferredSteps;
    private long refusals;
    private long trainingNanos;
    private boolean waiting;
    private String lastRefusal = "";

    public CapacityGovernor(LoadSignal load, GovernorConfig config) {
        this(load, config, System::nanoTime);
    }

    CapacityGovernor(LoadSignal load, GovernorConfig config, LongSupplier nanoTime) {
        this.load = load;
        this.config = config;
        this.nanoTime = nanoTime;
        this.startedAt = nanoTime.getAsLong();
    }

    public GovernorConfig config() {
        return config;
    }

    /**
     * Whether a step (or an evaluation) may start now. A step refused at least once before it is
     * granted counts once as deferred; every refusal counts in {@code refusals}.
     */
    public synchronized boolean tryGrant() {
        String refusal = refusal();
        if (refusal == null) {
            granted++;
            waiting = false;
            return true;
        }
        refusals++;
        if (!waiting) {
            deferredSteps++;
            waiting = true;
        }
        lastRefusal = refusal;
        return false;
    }

    private String refusal() {
        int activeRequests = load.activeRequests();
        if (config.requireNoActiveRequests() && activeRequests > 0) {
            return activeRequests + " requests in flight";
        }
        double idle = 1 - load.inferenceBusyFraction();
        if (config.minIdleShare() > 0 && idle < config.minIdleShare()) {
            return String.format("inference thread idle %.0f%% of the window, %.0f%% needed", 100 * idle,
                    100 * config.minIdleShare());
        }
        if (!config.latencyObjective().isZero() && load.recentP99Latency().compareTo(config.latencyObjective()) > 0) {
            return "p99 latency " + load.recentP99Latency().toMillis() + " ms above the objective of "
                    + config.latencyObjective().toMillis() + " ms";
        }
        return null;
    }

    /** Adds the wall time of a granted step or evaluation to the training share. */
    public synchronized void recordTraining(long nanos) {
        trainingNanos += nanos;
    }

    public synchronized Stats stats() {
        long elapsed = Math.max(1, nanoTime.getAsLong() - startedAt);
        return new Stats(granted, deferredSteps, refusals, (double) trainingNanos / elapsed, lastRefusal);
    }
}
