package dev.specd.verifier;

import java.util.Arrays;

/**
 * Prompt lookup decoding (Saxena 2023; vLLM's "ngram" speculator): if the sequence's last n tokens
 * occurred earlier in the sequence (prompt and output so far), propose the tokens that followed
 * their most recent earlier occurrence. n goes from maxN down to minN; the longest match wins.
 *
 * <p>Confidence is count-based: with m earlier occurrences of the matched n-gram, of which m_i are
 * followed by the proposal's first i + 1 tokens, confidence[i] = m_i / (m + 1). A single
 * occurrence gives 1/2 per token; a pattern repeated identically many times approaches 1.
 *
 * <p>Cost: O(length · n) per tried n, a linear scan with no index. Stateless and thread-safe.
 */
public record PromptLookup(int minN, int maxN) {

    public PromptLookup {
        if (minN < 1 || maxN < minN) {
            throw new IllegalArgumentException("need 1 <= minN <= maxN, got " + minN + ", " + maxN);
        }
    }

    /** Proposes up to maxTokens tokens to follow tokens[0..length). */
    public NgramProposal propose(int[] tokens, int length, int maxTokens) {
        if (maxTokens < 1) {
            return NgramProposal.EMPTY;
        }
        for (int n = Math.min(maxN, length - 1); n >= minN; n--) {
            int suffix = length - n;
            int mostRecent = previousOccurrence(tokens, suffix, n, suffix - 1);
            if (mostRecent < 0) {
                continue;
            }
            // Continuation of the most recent occurrence; it may run into the suffix itself.
            int from = mostRecent + n;
            int size = Math.min(maxTokens, length - from);
            int[] proposal = Arrays.copyOfRange(tokens, from, from + size);
            // [i] occurrences whose continuation agrees with proposal[0..i].
            int[] agreeing = new int[size];
            int occurrences = 0;
            for (int start = mostRecent; start >= 0; start = previousOccurrence(tokens, suffix, n, start - 1)) {
                occurrences++;
                for (int i = 0; i < size && start + n + i < length && tokens[start + n + i] == proposal[i]; i++) {
                    agreeing[i]++;
                }
            }
            double[] confidence = new double[size];
            for (int i = 0; i < size; i++) {
                confidence[i] = (double) agreeing[i] / (occurrences + 1);
            }
            return new NgramProposal(proposal, confidence);
        }
        return NgramProposal.EMPTY;
    }

    /** The largest start ≤ from at which tokens[start..start+n) equals tokens[suffix..suffix+n), or −1. */
    private static int previousOccurrence(int[] tokens, int suffix, int n, int from) {
        for (int start = from; start >= 0; start--) {
            if (Arrays.equals(tokens, start, start + n, tokens, suffix, suffix + n)) {
                return start;
            }
        }
        return -1;
    }
}
