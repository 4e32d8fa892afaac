package dev.specd.loadtest;

/**
 * The {@code speculative} object of a response, as the server sends it (summed over its choices).
 *
 * @param acceptanceRate null when nothing was drafted
 * @param meanAcceptedLength null when nothing was drafted
 * @param draftVersion null without a draft model
 */
public record Speculative(long draftedTokens, long acceptedTokens, Double acceptanceRate, Double meanAcceptedLength,
        String draftVersion, String drafter) {}
