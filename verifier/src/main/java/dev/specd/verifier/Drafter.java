package dev.specd.verifier;

import java.util.List;

/**
 * Proposes tokens for the target to verify. Called on the inference thread only, once per
 * scheduler iteration with every sequence that drafts in it, so that model drafters can batch.
 */
public interface Drafter extends AutoCloseable {

    /** What this drafter is, for metrics and logs: "model", "ngram" or "hybrid". */
    String kind();

    /**
     * @param gammas per sequence, the most tokens to propose (≥ 1)
     * @return per sequence, its draft (possibly shorter than asked, or {@link Draft#NONE})
     */
    List<Draft> propose(List<Sequence> sequences, int[] gammas);

    /** The sequence's tokens changed after verification; drafter state past them is stale. */
    default void committed(Sequence sequence) {}

    /** The sequence is finished; free what the drafter holds for it. */
    default void release(Sequence sequence) {}

    @Override
    default void close() {}
}
