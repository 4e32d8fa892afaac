package dev.specd.serving.scheduler;

import dev.specd.verifier.PinnedDrafter;

/**
 * A draft version that a generation drafts with instead of the one serving (its request said
 * {@code "speculative": {"draft_version": V}}), held from validation until the generation ends so
 * that it cannot be closed under it.
 */
public interface PinnedDraft {

    /** The version, as responses and the query log name it ({@code v0000}). */
    String version();

    PinnedDrafter drafter();

    /**
     * One generation it was held for no longer drafts with it: ended (on the inference thread, after
     * its sequence was released) or refused before it was queued.
     */
    void release();
}
