package dev.specd.serving.scheduler;

import dev.specd.verifier.SpeculationStats;

/** Speculation counts of one or more generations, summed. */
public record SpeculationTotals(long drafts, long draftedTokens, long acceptedTokens) {

    public static final SpeculationTotals NONE = new SpeculationTotals(0, 0, 0);

    static SpeculationTotals of(SpeculationStats stats) {
        return new SpeculationTotals(stats.drafts(), stats.draftedTokens(), stats.acceptedTokens());
    }

    public SpeculationTotals plus(SpeculationTotals other) {
        return new SpeculationTotals(drafts + other.drafts, draftedTokens + other.draftedTokens,
                acceptedTokens + other.acceptedTokens);
    }

    /** Accepted / drafted tokens, or null when nothing was drafted. */
    public Double acceptanceRate() {
        return draftedTokens == 0 ? null : (double) acceptedTokens / draftedTokens;
    }

    /** 1 + accepted tokens per draft (vLLM's mean acceptance length), or null when nothing was drafted. */
    public Double meanAcceptedLength() {
        return drafts == 0 ? null : 1.0 + (double) acceptedTokens / drafts;
    }
}
