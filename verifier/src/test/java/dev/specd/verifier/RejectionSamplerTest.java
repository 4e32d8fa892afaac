package dev.specd.verifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Each branch of the rule, with scripted uniforms u so outcomes are exact. */
class RejectionSamplerTest {

    // q(1) = 0.6 > p(1) = 0.3: token 1 is accepted with probability 0.5; the residual max(0, p − q) is {0.3, 0, 0}.
    static final float[] P = {0.5f, 0.3f, 0.2f};
    static final float[] Q = {0.2f, 0.6f, 0.2f};
    static final float[] BONUS = {0f, 0f, 1f};

    @Test
    void acceptsWhenUniformIsBelowTheRatio() {
        ScriptedRandom random = new ScriptedRandom(0.49, 0.0);
        RejectionSampler.Verdict verdict = RejectionSampler.verify(new int[] {1}, new float[][] {Q}, new float[][] {P, BONUS}, random);
        assertEquals(1, verdict.acceptedCount());
        assertEquals(2, verdict.nextToken(), "all accepted: the bonus comes from p_{γ+1}");
        assertArrayEquals(new int[] {1, 2}, verdict.emitted(new int[] {1}));
    }

    @Test
    void rejectsAboveTheRatioAndCorrectsFromTheResidual() {
        // Whatever the second uniform, the residual {0.3, 0, 0} can only give token 0.
        for (double u : new double[] {0.0, 0.5, 0.999}) {
            RejectionSampler.Verdict verdict = RejectionSampler.verify(
                    new int[] {1, 2}, new float[][] {Q, Q}, new float[][] {P, P, BONUS}, new ScriptedRandom(0.51, u));
            assertEquals(0, verdict.acceptedCount());
            assertEquals(0, verdict.nextToken());
            assertArrayEquals(new int[] {0}, verdict.emitted(new int[] {1, 2}));
        }
    }

    @Test
    void acceptsWithoutDrawingWhenTheTargetLikesTheTokenMore() {
        ScriptedRandom random = new ScriptedRandom(0.0);
        // p(0) = 0.5 ≥ q(0) = 0.2, then the bonus draw.
        RejectionSampler.Verdict verdict = RejectionSampler.verify(new int[] {0}, new float[][] {Q}, new float[][] {P, BONUS}, random);
        assertEquals(1, verdict.acceptedCount());
        assertEquals(1, random.used(), "only the bonus token needed a random number");
    }

    @Test
    void gammaZeroSamplesFromTheTarget() {
        RejectionSampler.Verdict verdict = RejectionSampler.verify(new int[0], new float[0][], new float[][] {P}, new ScriptedRandom(0.6));
        assertEquals(0, verdict.acceptedCount());
        assertEquals(1, verdict.nextToken(), "u = 0.6 falls in token 1's slice [0.5, 0.8)");
        assertEquals(0, verdict.expectedAcceptance().length);
    }

    @Test
    void deterministicProposalUsesOneHotDraft() {
        // null q = one-hot on the drafted token: accepted with probability p(1) = 0.3.
        RejectionSampler.Verdict accepted = RejectionSampler.verify(new int[] {1}, null, new float[][] {P, BONUS}, new ScriptedRandom(0.29, 0.0));
        assertEquals(1, accepted.acceptedCount());
        assertEquals(0.3, accepted.expectedAcceptance()[0], 1e-7);
        // On rejection the correction comes from p without token 1: {0.5, 0, 0.2}/0.7. u = 0.75 → 0.525 ≥ 0.5 → token 2.
        RejectionSampler.Verdict rejected = RejectionSampler.verify(new int[] {1}, null, new float[][] {P, BONUS}, new ScriptedRandom(0.31, 0.75));
        assertEquals(0, rejected.acceptedCount());
        assertEquals(2, rejected.nextToken());
        // A null row inside a draft distribution array means the same.
        RejectionSampler.Verdict nullRow = RejectionSampler.verify(new int[] {1}, new float[][] {null}, new float[][] {P, BONUS}, new ScriptedRandom(0.31, 0.75));
        assertEquals(2, nullRow.nextToken());
    }

    @Test
    void emptyResidualFallsBackToTheTarget() {
        // p = q except a rounding deficit at token 1: the ratio is just below 1, the residual all zero.
        float[] p = {0.25f, 0.7499f};
        float[] q = {0.25f, 0.75f};
        RejectionSampler.Verdict verdict = RejectionSampler.verify(new int[] {1}, new float[][] {q}, new float[][] {p, p}, new ScriptedRandom(0.99999, 0.1));
        assertEquals(0, verdict.acceptedCount());
        assertEquals(0, verdict.nextToken(), "drawn from p: u = 0.1 falls in token 0's slice");
    }

    @Test
    void expectedAcceptanceIsTheOverlapPerPosition() {
        RejectionSampler.Verdict verdict = RejectionSampler.verify(
                new int[] {1, 0}, new float[][] {Q, P}, new float[][] {P, Q, BONUS}, new ScriptedRandom(0.9, 0.0));
        // Σ min(P, Q) = 0.2 + 0.3 + 0.2, both ways round; position 2 is reported though position 1 was rejected.
        assertArrayEquals(new double[] {0.7, 0.7}, verdict.expectedAcceptance(), 1e-6);
        SpeculationStep step = verdict.step();
        assertEquals(2, step.drafted());
        assertEquals(0, step.accepted());
    }

    @Test
    void refusesInconsistentInput() {
        assertThrows(IllegalArgumentException.class,
                () -> RejectionSampler.verify(new int[] {1}, new float[][] {Q}, new float[][] {P}, new ScriptedRandom()));
        assertThrows(IllegalArgumentException.class,
                () -> RejectionSampler.verify(new int[] {3}, null, new float[][] {P, P}, new ScriptedRandom()));
        assertThrows(IllegalArgumentException.class,
                () -> RejectionSampler.verify(new int[] {1}, new float[][] {{0.5f, 0.5f}}, new float[][] {P, P}, new ScriptedRandom()));
        // The draft cannot have sampled a token it gives probability 0.
        assertThrows(IllegalArgumentException.class,
                () -> RejectionSampler.verify(new int[] {2}, new float[][] {{0.5f, 0.5f, 0f}}, new float[][] {P, P}, new ScriptedRandom(0.1)));
    }
}
