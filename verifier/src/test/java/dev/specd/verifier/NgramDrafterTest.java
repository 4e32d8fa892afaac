package dev.specd.verifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NgramDrafterTest {

    @Test
    void takesTheSourceThatExpectsMoreAcceptedTokens() {
        NgramDrafter drafter = new NgramDrafter(new PromptLookup(2, 2), new NgramCache(2, 2, 100, 4));
        // Prompt lookup alone: [1, 2] seen once, followed by 3, 4 → confidence 1/2 each.
        int[] context = {1, 2, 3, 4, 1, 2};
        assertArrayEquals(new int[] {3, 4}, drafter.propose(context, 2).tokens());
        // Served traffic says [1, 2] → 8 → 9 almost always: the cache now expects more.
        for (int i = 0; i < 20; i++) {
            drafter.record(new int[] {1, 2, 8, 9});
        }
        NgramProposal proposal = drafter.propose(context, 2);
        assertArrayEquals(new int[] {8, 9}, proposal.tokens());
        assertTrue(proposal.expectedAccepted() > 1.0, "expected accepted " + proposal.expectedAccepted());
    }

    @Test
    void fallsBackToPromptLookupForUnseenContexts() {
        NgramDrafter drafter = new NgramDrafter(new PromptLookup(1, 3), new NgramCache(1, 3, 100, 4));
        drafter.record(new int[] {50, 51, 52});
        int[] buffer = {7, 8, 9, 7, 8, 0, 0};
        assertArrayEquals(new int[] {9, 7, 8}, drafter.propose(buffer, 5, 3).tokens());
    }
}
