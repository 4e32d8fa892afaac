package dev.specd.serving;

import dev.specd.model.CausalLM;
import dev.specd.serving.scheduler.PinnedDraft;
import dev.specd.verifier.Drafter;
import dev.specd.verifier.PinnedDrafter;
import dev.specd.verifier.SpeculativeDecoder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The draft versions that requests pin ({@code "speculative": {"draft_version": V}}) while another
 * version serves, so that a baseline draft can be compared with the live one on the same traffic.
 * A version is loaded the way serving's draft is ({@link DraftLoader}: checksums verified, fit to
 * the target checked) on the calling thread, a worker, never the event loop or the inference thread,
 * with a drafter of the serving kind and a draft KV cache of its own.
 *
 * <p>The {@value #CAPACITY} versions pinned most recently stay loaded for later requests; an older
 * one is closed as soon as no generation holds it, never while one does. Generations hold a version
 * from validation until they end, so the inference thread never drafts with a closed model.
 */
final class PinnedDrafts implements AutoCloseable {

    /** Loaded versions kept for later requests: each costs a draft model and a KV cache of every slot. */
    static final int CAPACITY = 2;
    private static final Logger LOG = LoggerFactory.getLogger(PinnedDrafts.class);

    private final DraftLoader loader;
    private final DraftSwap swap;
    private final SpeculativeDecoder decoder;
    private final Function<CausalLM, Drafter> drafterFor;
    private final int contextLength;
    // Guarded by this: the kept versions, least recently pinned first, and those evicted but still held.
    private final LinkedHashMap<String, Loaded> kept = new LinkedHashMap<>(CAPACITY + 1, 0.75f, true);
    private final List<Loaded> evictedHeld = new ArrayList<>();
    private boolean closed;

    /**
     * @param swap tells which version serves: pinning it needs nothing loaded
     * @param drafterFor a drafter of the configured kind on a draft model, with a fresh cache
     * @param contextLength the context served: a pinned draft must span it
     */
    PinnedDrafts(DraftLoader loader, DraftSwap swap, SpeculativeDecoder decoder,
            Function<CausalLM, Drafter> drafterFor, int contextLength) {
        this.loader = loader;
        this.swap = swap;
        this.decoder = decoder;
        this.drafterFor = drafterFor;
        this.contextLength = contextLength;
    }

    /**
     * Holds {@code version} for {@code holders} generations, loading it if needed; each of them
     * {@link PinnedDraft#release releases} it once. Blocks while a version loads.
     *
     * @return empty when {@code version} is serving: the live drafter drafts for it
     * @throws NoSuchElementException when no version of that name is registered
     * @throws IOException when its files fail their checksums or cannot be read
     * @throws IllegalArgumentException when it does not fit the target or the context served
     */
    Optional<PinnedDraft> pin(String version, int holders) throws IOException {
        if (version.equals(swap.serving().version())) {
            return Optional.empty();
        }
        synchronized (this) {
            Loaded loaded = kept.get(version);
            if (loaded != null) {
                loaded.holders += holders;
                return Optional.of(loaded);
            }
        }
        if (!loader.registry().list().contains(version)) {
            throw new NoSuchElementException("no draft version '" + version + "' is registered");
        }
        return Optional.of(keep(load(version), holders));
    }

    private Loaded load(String version) throws IOException {
        CausalLM model = loader.load(version, contextLength);
        Drafter drafter;
        try {
            drafter = drafterFor.apply(model);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        LOG.info("draft {} loaded for the requests that pin it", version);
        return new Loaded(new ServingDraft(version, model), decoder.pin(drafter));
    }

    /** Keeps a freshly loaded version, unless a concurrent request loaded it first, and evicts beyond capacity. */
    private Loaded keep(Loaded fresh, int holders) {
        List<Loaded> unused = new ArrayList<>();
        Loaded held;
        synchronized (this) {
            if (closed) {
                unused.add(fresh);
                held = null;
            } else {
                held = kept.putIfAbsent(fresh.version(), fresh);
                if (held == null) {
                    held = fresh;
                } else {
                    unused.add(fresh);
                }
                held.holders += holders;
                unused.addAll(evict());
            }
        }
        unused.forEach(Loaded::close);
        if (held == null) {
            throw new IllegalStateException("the server is shutting down");
        }
        return held;
    }

    /** The least recently pinned versions beyond capacity leave; returns those no generation holds, to close. */
    private List<Loaded> evict() {
        List<Loaded> idle = new ArrayList<>();
        for (Iterator<Loaded> eldest = kept.values().iterator(); kept.size() > CAPACITY; ) {
            Loaded evicted = eldest.next();
            eldest.remove();
            if (evicted.holders == 0) {
                idle.add(evicted);
            } else {
                evictedHeld.add(evicted);
            }
        }
        return idle;
    }

    private void release(Loaded loaded) {
        synchronized (this) {
            loaded.holders--;
            if (loaded.holders > 0 || !evictedHeld.remove(loaded)) {
                return;
            }
        }
        loaded.close();
    }

    /** Closes every version still loaded; call once no generation runs. */
    @Override
    public void close() {
        List<Loaded> open;
        synchronized (this) {
            closed = true;
            open = new ArrayList<>(kept.values());
            open.addAll(evictedHeld);
            kept.clear();
            evictedHeld.clear();
        }
        open.forEach(Loaded::close);
    }

    private final class Loaded implements PinnedDraft {

        private final ServingDraft draft;
        private final PinnedDrafter drafter;
        private int holders; // guarded by PinnedDrafts.this

        Loaded(ServingDraft draft, PinnedDrafter drafter) {
            this.draft = draft;
            this.drafter = drafter;
        }

        @Override
        public String version() {
            return draft.version();
        }

        @Override
        public PinnedDrafter drafter() {
            return drafter;
        }

        @Override
        public void release() {
            PinnedDrafts.this.release(this);
        }

        void close() {
            loader.computeLock().lock();
            try {
                drafter.drafter().close();
                draft.model().close();
            } finally {
                loader.computeLock().unlock();
            }
            LOG.info("pinned draft {} closed", version());
        }
    }
}
