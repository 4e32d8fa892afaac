package dev.specd.loadtest;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;

/**
 * The exchanges under way, so that the end of the drain time can cut them off: a run stops by
 * itself even when the server stops answering. Thread-safe.
 */
final class InFlight {

    private final Set<Future<?>> running = ConcurrentHashMap.newKeySet();
    private volatile boolean cancelled;

    /** Tracks an exchange; after {@link #cancelAll()} it is cancelled at once. */
    void add(Future<?> exchange) {
        running.add(exchange);
        if (cancelled) {
            exchange.cancel(true);
        }
    }

    void remove(Future<?> exchange) {
        running.remove(exchange);
    }

    int count() {
        return running.size();
    }

    /** Whether {@link #cancelAll()} was called: an exchange that fails since was cut off by the run. */
    boolean cutOff() {
        return cancelled;
    }

    /** Cancels every exchange under way and any added later (cancelling closes its connection). */
    void cancelAll() {
        cancelled = true;
        running.forEach(exchange -> exchange.cancel(true));
    }
}
