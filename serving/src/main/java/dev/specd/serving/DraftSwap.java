package dev.specd.serving;

import dev.specd.model.CausalLM;
import dev.specd.verifier.Drafter;
import dev.specd.verifier.SpeculativeDecoder;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The draft model serving, and its replacement between two scheduler iterations. A new draft is
 * loaded elsewhere, never on the inference thread, and {@link #offer offered} together with a new
 * drafter on it (with a fresh draft KV cache, allocated here, off the inference thread too). The
 * inference thread picks it up before its next iteration: the new drafter takes the old one's place
 * in the decoder, and only then are the old drafter, its cache and its model closed. Sequences in
 * flight carry on; the new drafter catches up on their tokens the first time it drafts for them.
 * Outputs do not change, only how many drafted tokens are accepted.
 *
 * <p>The hand-off is one atomic reference: an offer that arrives before the previous one was
 * applied supersedes it (the superseded draft is closed unused).
 */
final class DraftSwap implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DraftSwap.class);

    private record Replacement(ServingDraft draft, Drafter drafter, CompletableFuture<Void> applied) {}

    private final SpeculativeDecoder decoder;
    private final Function<CausalLM, Drafter> drafterFor;
    private final AtomicReference<Replacement> pending = new AtomicReference<>();
    private volatile ServingDraft serving; // replaced on the inference thread

    /**
     * @param serving the draft the decoder's drafter was made on
     * @param drafterFor a drafter of the configured kind on a draft model, with a fresh cache
     */
    DraftSwap(SpeculativeDecoder decoder, ServingDraft serving, Function<CausalLM, Drafter> drafterFor) {
        this.decoder = decoder;
        this.serving = serving;
        this.drafterFor = drafterFor;
    }

    /** The draft serving now. */
    ServingDraft serving() {
        return serving;
    }

    /** The version serving once the pending offer, if any, is applied. */
    String latestVersion() {
        Replacement next = pending.get();
        return next == null ? serving.version() : next.draft().version();
    }

    /**
     * Hands {@code model}, already verified and loaded, to the inference thread, which swaps it in
     * before its next iteration. Takes ownership of the model, closing it if no drafter can be made.
     *
     * @param inferenceThread runs a task between two iterations (the scheduler)
     * @return completes once {@code version} serves; also when a later offer supersedes it
     */
    CompletableFuture<Void> offer(String version, CausalLM model, Executor inferenceThread) {
        Drafter drafter;
        try {
            drafter = drafterFor.apply(model);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        Replacement next = new Replacement(new ServingDraft(version, model), drafter, new CompletableFuture<>());
        discard(pending.getAndSet(next));
        inferenceThread.execute(this::applyPending);
        return next.applied();
    }

    /** On the inference thread, between two iterations. */
    private void applyPending() {
        Replacement next = pending.getAndSet(null);
        if (next == null) {
            return; // a superseding offer's task got here first
        }
        Drafter previous = decoder.replaceDrafter(next.drafter());
        ServingDraft replaced = serving;
        serving = next.draft();
        previous.close();
        replaced.model().close();
        LOG.info("draft {} serving (was {})", next.draft().version(), replaced.version());
        next.applied().complete(null);
    }

    private static void discard(Replacement replacement) {
        if (replacement != null) {
            replacement.drafter().close();
            replacement.draft().model().close();
            replacement.applied().complete(null);
        }
    }

    /** Closes the serving model and any draft never swapped in; the decoder closes its drafter. */
    @Override
    public void close() {
        discard(pending.getAndSet(null));
        serving.model().close();
    }
}
