package dev.specd.verifier;

import java.util.Arrays;

/**
 * Running speculation statistics of one request, fed one {@link SpeculationStep} per verification.
 * Counters follow vLLM's spec-decode metrics: a "draft" is a step that drafted at least one token;
 * steps with γ = 0 are plain decoding and only counted as such. Not thread-safe: one request is
 * decoded by one thread.
 */
public final class SpeculationStats {

    private long drafts;
    private long plainSteps;
    private long draftedTokens;
    private long acceptedTokens;
    /** [position − 1] steps that drafted / accepted 1-based position i. */
    private long[] draftedAtPosition = new long[0];
    private long[] acceptedAtPosition = new long[0];
    private double expectedAcceptanceSum;
    private long expectedAcceptancePositions;
    /** [step] per-step drafted and accepted counts, γ = 0 steps included, for the query log. */
    private int[] draftedPerStep = new int[16];
    private int[] acceptedPerStep = new int[16];
    private int steps;

    public void record(SpeculationStep step) {
        if (steps == draftedPerStep.length) {
            draftedPerStep = Arrays.copyOf(draftedPerStep, steps * 2);
            acceptedPerStep = Arrays.copyOf(acceptedPerStep, steps * 2);
        }
        draftedPerStep[steps] = step.drafted();
        acceptedPerStep[steps] = step.accepted();
        steps++;
        if (step.drafted() == 0) {
            plainSteps++;
            return;
        }
        drafts++;
        draftedTokens += step.drafted();
        acceptedTokens += step.accepted();
        if (step.drafted() > draftedAtPosition.length) {
            draftedAtPosition = Arrays.copyOf(draftedAtPosition, step.drafted());
            acceptedAtPosition = Arrays.copyOf(acceptedAtPosition, step.drafted());
        }
        for (int i = 0; i < step.drafted(); i++) {
            draftedAtPosition[i]++;
            if (i < step.accepted()) {
                acceptedAtPosition[i]++;
            }
        }
        if (step.hasExpectedAcceptance()) {
            for (int position = 1; position <= step.drafted(); position++) {
                expectedAcceptanceSum += step.expectedAcceptanceAt(position);
            }
            expectedAcceptancePositions += step.drafted();
        }
    }

    /** Verification steps that drafted at least one token (vLLM's num_drafts). */
    public long drafts() {
        return drafts;
    }

    /** Steps decoded without speculation (γ = 0). */
    public long plainSteps() {
        return plainSteps;
    }

    public long draftedTokens() {
        return draftedTokens;
    }

    public long acceptedTokens() {
        return acceptedTokens;
    }

    /** Accepted / drafted tokens; NaN before anything was drafted. */
    public double acceptanceRate() {
        return draftedTokens == 0 ? Double.NaN : (double) acceptedTokens / draftedTokens;
    }

    /** vLLM's mean acceptance length: 1 + accepted tokens per draft; NaN before the first draft. */
    public double meanAcceptedLength() {
        return drafts == 0 ? Double.NaN : 1.0 + (double) acceptedTokens / drafts;
    }

    /** Mean Σ min(p, q) over drafted positions that reported it: the acceptance rate α the theory predicts. */
    public double expectedAcceptanceRate() {
        return expectedAcceptancePositions == 0 ? Double.NaN : expectedAcceptanceSum / expectedAcceptancePositions;
    }

    /** [i] drafts that reached 1-based position i + 1. */
    public long[] draftedPerPosition() {
        return draftedAtPosition.clone();
    }

    /** [i] drafts whose 1-based position i + 1 was accepted (vLLM's num_accepted_tokens_per_pos). */
    public long[] acceptedPerPosition() {
        return acceptedAtPosition.clone();
    }

    /** [step] tokens drafted in each step, plain steps as 0. */
    public int[] draftedPerStep() {
        return Arrays.copyOf(draftedPerStep, steps);
    }

    /** [step] tokens accepted in each step. */
    public int[] acceptedPerStep() {
        return Arrays.copyOf(acceptedPerStep, steps);
    }
}
