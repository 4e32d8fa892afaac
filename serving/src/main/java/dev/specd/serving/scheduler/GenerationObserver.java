package dev.specd.serving.scheduler;

import dev.specd.verifier.Sequence;
import dev.specd.verifier.SpeculativeDecoder.StepOutput;

/**
 * Watches served traffic on the inference thread: the query log and the n-gram cache learn from
 * it. Must not block; hand work to another thread.
 */
public interface GenerationObserver {

    /** One iteration's output for a generation (its tokens and the target logits behind them). */
    default void stepped(Generation generation, StepOutput output) {}

    /**
     * The generation left the scheduler, however it ended.
     *
     * @param sequence null when it never got a slot
     * @param result what its client is told
     */
    default void ended(Generation generation, Sequence sequence, Update.Result result) {}
}
