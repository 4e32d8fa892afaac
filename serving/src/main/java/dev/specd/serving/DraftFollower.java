package dev.specd.serving;

import dev.specd.metrics.ServingMetrics;
import dev.specd.model.CausalLM;
import dev.specd.trainer.online.DraftVersion;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps serving on the draft registry's current version, on a thread of its own. Every poll
 * interval, and at once when {@link #refresh asked} (a promotion or rollback in this process), it
 * reads {@code drafts/current}; when that names a version other than the one serving, it verifies
 * and loads it here, never on the inference thread, and hands it to the {@link DraftSwap}. Polling
 * is what lets a trainer in another process (or an operator) publish drafts to a running server.
 *
 * <p>A version that fails its checksums or does not load is refused, logged and counted once, and
 * not tried again while {@code current} keeps naming it: the previous draft keeps serving.
 */
final class DraftFollower implements AutoCloseable {

    /** How often {@code drafts/current} is read: a file of a few bytes, so often is cheap. */
    static final Duration POLL_INTERVAL = Duration.ofSeconds(2);
    /** How long a loaded draft may wait for the inference thread (one iteration, normally) before the follower moves on. */
    private static final Duration APPLY_TIMEOUT = Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger(DraftFollower.class);

    private final DraftLoader loader;
    private final DraftSwap swap;
    private final Executor inferenceThread;
    private final int contextLength;
    private final ServingMetrics metrics;
    private final LinkedBlockingQueue<CompletableFuture<String>> refreshes = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean closed;

    // Follower thread only.
    private String refused;
    private String lastProblem;

    /**
     * @param inferenceThread runs the swap between two iterations (the scheduler)
     * @param contextLength the context served: a new draft must span it
     */
    DraftFollower(DraftLoader loader, DraftSwap swap, Executor inferenceThread, int contextLength,
            ServingMetrics metrics) {
        this.loader = loader;
        this.swap = swap;
        this.inferenceThread = inferenceThread;
        this.contextLength = contextLength;
        this.metrics = metrics;
        this.thread = Thread.ofPlatform().name("specd-draft-follower").daemon().unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    /**
     * Reads the registry's current version now and swaps it in if needed.
     *
     * @return completes, on the follower thread, with the version serving once that is done
     */
    CompletableFuture<String> refresh() {
        CompletableFuture<String> done = new CompletableFuture<>();
        refreshes.add(done);
        if (closed) {
            refreshes.remove(done);
            done.complete(swap.serving().version());
        }
        return done;
    }

    private void run() {
        while (!closed) {
            List<CompletableFuture<String>> waiting = new ArrayList<>();
            try {
                CompletableFuture<String> first = refreshes.poll(POLL_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
                if (first != null) {
                    waiting.add(first);
                }
            } catch (InterruptedException e) {
                break;
            }
            refreshes.drainTo(waiting);
            try {
                follow();
            } catch (RuntimeException | Error e) {
                LOG.error("following the draft registry failed; {} keeps serving", swap.serving().version(), e);
            }
            waiting.forEach(done -> done.complete(swap.serving().version()));
        }
        List<CompletableFuture<String>> left = new ArrayList<>();
        refreshes.drainTo(left);
        left.forEach(done -> done.complete(swap.serving().version()));
    }

    private void follow() {
        Optional<DraftVersion> current;
        try {
            current = loader.registry().current();
        } catch (IOException e) {
            if (!e.getMessage().equals(lastProblem)) {
                LOG.error("cannot read the current draft version: {}; {} keeps serving", e.getMessage(),
                        swap.serving().version());
                lastProblem = e.getMessage();
                metrics.draftRefused();
            }
            return;
        }
        lastProblem = null;
        String version = current.map(DraftVersion::name).orElse(null);
        if (version == null || version.equals(swap.latestVersion()) || version.equals(refused)) {
            return;
        }
        refused = null;
        CausalLM model;
        try {
            model = loader.load(version, contextLength);
        } catch (IOException | RuntimeException e) {
            refuse(version, e);
            return;
        }
        CompletableFuture<Void> applied;
        try {
            applied = swap.offer(version, model, inferenceThread);
        } catch (RuntimeException e) {
            refuse(version, e);
            return;
        }
        applied.thenRun(metrics::draftSwapped);
        try {
            applied.get(APPLY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("draft {} has waited {} s for the inference thread", version, APPLY_TIMEOUT.toSeconds());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException("the swap never fails its future", e);
        }
    }

    private void refuse(String version, Exception problem) {
        refused = version;
        metrics.draftRefused();
        LOG.error("cannot serve draft {}: {}; {} keeps serving", version, problem.getMessage(), swap.serving().version());
    }

    /** Stops following; a swap already handed to the inference thread still happens. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
