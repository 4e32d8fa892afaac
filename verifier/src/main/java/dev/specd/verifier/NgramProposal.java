package dev.specd.verifier;

/**
 * A deterministic draft from n-gram statistics, verified with a one-hot q (a {@code null} draft
 * distribution in {@link RejectionSampler#verify}).
 *
 * @param tokens [k] proposed continuation, k ≤ the requested maximum
 * @param confidence [k] estimated probability that tokens[0..i] are all accepted; non-increasing,
 *     from counts, so a hybrid drafter can compare it with a draft model's Π a_j
 */
public record NgramProposal(int[] tokens, double[] confidence) {

    public static final NgramProposal EMPTY = new NgramProposal(new int[0], new double[0]);

    public NgramProposal {
        if (tokens.length != confidence.length) {
            throw new IllegalArgumentException(
                    tokens.length + " tokens need as many confidences, got " + confidence.length);
        }
    }

    public int size() {
        return tokens.length;
    }

    public boolean isEmpty() {
        return tokens.length == 0;
    }

    /** Σ confidence: the expected number of accepted tokens if all of them are drafted. */
    public double expectedAccepted() {
        double total = 0;
        for (double c : confidence) {
            total += c;
        }
        return total;
    }
}
