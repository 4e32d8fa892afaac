package dev.specd.verifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class PromptLookupTest {

    private final PromptLookup lookup = new PromptLookup(1, 3);

    @Test
    void proposesWhatFollowedTheRepeatedSuffix() {
        int[] tokens = {1, 2, 3, 4, 5, 9, 1, 2, 3};
        NgramProposal proposal = lookup.propose(tokens, tokens.length, 3);
        assertArrayEquals(new int[] {4, 5, 9}, proposal.tokens());
        // One earlier occurrence: 1 / (1 + 1) for each token.
        assertArrayEquals(new double[] {0.5, 0.5, 0.5}, proposal.confidence());
    }

    @Test
    void longestMatchWinsOverMoreRecentShorterOne() {
        // [1, 2, 3] occurred at 0 (followed by 9); only [2, 3] occurred more recently (followed by 7).
        int[] tokens = {1, 2, 3, 9, 5, 2, 3, 7, 1, 2, 3};
        assertArrayEquals(new int[] {9, 5}, lookup.propose(tokens, tokens.length, 2).tokens());
    }

    @Test
    void mostRecentOccurrenceWinsAndDisagreementLowersConfidence() {
        PromptLookup bigrams = new PromptLookup(2, 2);
        int[] tokens = {1, 2, 7, 1, 2, 8, 1, 2};
        NgramProposal proposal = bigrams.propose(tokens, tokens.length, 2);
        assertArrayEquals(new int[] {8, 1}, proposal.tokens());
        // Two earlier occurrences of [1, 2], one followed by 8, 1: 1/3 each.
        assertArrayEquals(new double[] {1.0 / 3, 1.0 / 3}, proposal.confidence(), 1e-12);
    }

    @Test
    void repeatedPatternEarnsHighConfidence() {
        PromptLookup bigrams = new PromptLookup(2, 2);
        int[] tokens = {1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2};
        NgramProposal proposal = bigrams.propose(tokens, tokens.length, 4);
        assertArrayEquals(new int[] {3, 4, 1, 2}, proposal.tokens());
        // Three earlier occurrences of [1, 2], all followed by 3, 4, 1, 2 (the latest one's
        // continuation runs into the suffix itself): 3 / (3 + 1) for each token.
        assertArrayEquals(new double[] {0.75, 0.75, 0.75, 0.75}, proposal.confidence(), 1e-12);
    }

    @Test
    void confidenceFallsWhereEarlierContinuationsDiverge() {
        PromptLookup bigrams = new PromptLookup(2, 2);
        int[] tokens = {5, 6, 1, 2, 5, 6, 1, 3, 5, 6};
        NgramProposal proposal = bigrams.propose(tokens, tokens.length, 2);
        assertArrayEquals(new int[] {1, 3}, proposal.tokens());
        assertArrayEquals(new double[] {2.0 / 3, 1.0 / 3}, proposal.confidence(), 1e-12);
    }

    @Test
    void onlyThePrefixOfTheBufferIsSearchedAndMaxTokensCaps() {
        int[] buffer = {4, 5, 6, 4, 0, 0, 0};
        NgramProposal proposal = lookup.propose(buffer, 4, 8);
        assertArrayEquals(new int[] {5, 6, 4}, proposal.tokens(), "the continuation may run into the suffix itself");
        assertArrayEquals(new int[] {5}, lookup.propose(buffer, 4, 1).tokens());
    }

    @Test
    void noRepeatProposesNothing() {
        int[] tokens = {1, 2, 3, 4, 5};
        assertSame(NgramProposal.EMPTY, lookup.propose(tokens, tokens.length, 4));
        assertSame(NgramProposal.EMPTY, lookup.propose(new int[] {7}, 1, 4));
        assertSame(NgramProposal.EMPTY, lookup.propose(new int[] {7, 7}, 2, 0));
    }
}
