package dev.specd.verifier;

/**
 * What one verification step of one sequence did: the unit that statistics, metrics, the query log
 * and the γ controller consume.
 *
 * @param drafted γ, the drafted tokens verified in this step (0 = plain decoding)
 * @param accepted how many of them, from the first, the target kept: 0..γ (the step emitted accepted + 1)
 * @param expectedAcceptance [γ] Σ_x min(p_i(x), q_i(x)) per drafted position, or {@code null} when
 *     the distributions were not at hand; held as a copy
 */
public record SpeculationStep(int drafted, int accepted, double[] expectedAcceptance) {

    public SpeculationStep {
        if (drafted < 0 || accepted < 0 || accepted > drafted) {
            throw new IllegalArgumentException("need 0 <= accepted <= drafted, got " + accepted + " of " + drafted);
        }
        if (expectedAcceptance != null) {
            if (expectedAcceptance.length != drafted) {
                throw new IllegalArgumentException("expected acceptance needs one value per drafted position ("
                        + drafted + "), got " + expectedAcceptance.length);
            }
            expectedAcceptance = expectedAcceptance.clone();
        }
    }

    /** A copy: the record stays immutable. */
    @Override
    public double[] expectedAcceptance() {
        return expectedAcceptance == null ? null : expectedAcceptance.clone();
    }

    /** Expected acceptance at 1-based drafted position i; only meaningful when the distributions were at hand. */
    public double expectedAcceptanceAt(int position) {
        return expectedAcceptance[position - 1];
    }

    public boolean hasExpectedAcceptance() {
        return expectedAcceptance != null;
    }

    /** Tokens this step appended to the sequence. */
    public int emitted() {
        return accepted + 1;
    }
}
