package dev.specd.verifier;

/**
 * One sequence's proposal for a speculative step.
 *
 * @param tokens [γ] drafted tokens, possibly fewer than asked (none is a plain decoding step)
 * @param probabilities [γ][vocab] the draft's processed distributions q, or null for a deterministic
 *     proposal (n-gram), which verification treats as one-hot on each drafted token
 */
public record Draft(int[] tokens, float[][] probabilities) {

    public static final Draft NONE = new Draft(new int[0], null);

    public Draft {
        if (probabilities != null && probabilities.length != tokens.length) {
            throw new IllegalArgumentException(
                    "a draft of " + tokens.length + " tokens needs as many distributions, got " + probabilities.length);
        }
    }

    public int size() {
        return tokens.length;
    }
}
