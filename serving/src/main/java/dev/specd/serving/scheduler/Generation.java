package dev.specd.serving.scheduler;

import dev.specd.verifier.GenerationRequest;
import dev.specd.verifier.Sequence;
import java.time.Duration;

/**
 * One sequence for the scheduler to generate: a choice of an HTTP request. Made on the event loop
 * and handed to {@link Scheduler#submit}; from then on the inference thread owns it, and the event
 * loop only flips its flags through the scheduler (cancel, pause, resume).
 */
public final class Generation {

    /** Receives a generation's updates on the inference thread; must hand them off, never block. */
    public interface Listener {
        void update(Update update);
    }

    private final GenerationRequest request;
    private final PinnedDraft pinnedDraft;
    private final boolean streaming;
    private final long arrivalNanos;
    private final long deadlineNanos;
    private final Provenance provenance;
    private final Listener listener;
    volatile boolean cancelled;
    volatile boolean paused;

    // Inference thread only.
    Sequence sequence;
    int streamedChars;
    long lastEmissionNanos;

    /**
     * @param pinnedDraft the draft version it drafts with, held for it; null to draft with the one serving
     * @param streaming whether text is wanted as it is generated (else only at the end)
     * @param arrivalNanos {@link System#nanoTime()} when the request arrived
     * @param timeout from arrival until the generation is cut short
     * @param provenance what the query log records about the request, or null to keep it out of the log
     */
    public Generation(GenerationRequest request, PinnedDraft pinnedDraft, boolean streaming, long arrivalNanos,
            Duration timeout, Provenance provenance, Listener listener) {
        this.request = request;
        this.pinnedDraft = pinnedDraft;
        this.streaming = streaming;
        this.arrivalNanos = arrivalNanos;
        this.deadlineNanos = arrivalNanos + timeout.toNanos();
        this.provenance = provenance;
        this.listener = listener;
    }

    public GenerationRequest request() {
        return request;
    }

    /** Null when it drafts with the version serving. */
    public PinnedDraft pinnedDraft() {
        return pinnedDraft;
    }

    /** Null when the generation is kept out of the query log. */
    public Provenance provenance() {
        return provenance;
    }

    boolean streaming() {
        return streaming;
    }

    long arrivalNanos() {
        return arrivalNanos;
    }

    boolean expired(long nowNanos) {
        return nowNanos - deadlineNanos > 0;
    }

    Listener listener() {
        return listener;
    }
}
