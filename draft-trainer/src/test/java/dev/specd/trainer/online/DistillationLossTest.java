package dev.specd.trainer.online;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.specd.querylog.TopLogprobs;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The divergences on a distribution small enough to work out by hand. Vocabulary of 4; the draft's
 * softmax q = (0.5, 0.2, 0.2, 0.1); the target logged its top-2, token 1 at 0.6 and token 0 at 0.3,
 * tail 0.1. On the buckets (token 1, token 0, tail): p = (0.6, 0.3, 0.1), q = (0.2, 0.5, 0.3).
 */
class DistillationLossTest {

    private static final double TOLERANCE = 1e-5;
    private static final float[] DRAFT = {0.5f, 0.2f, 0.2f, 0.1f};
    private static final TopLogprobs TARGET =
            new TopLogprobs(new int[] {1, 0}, new float[] {(float) Math.log(0.6), (float) Math.log(0.3)}, 0.1f);

    private final NDManager manager = NDManager.newBaseManager("PyTorch");

    @AfterEach
    void close() {
        manager.close();
    }

    /** One output token predicted at position 0 from a one-token prompt. */
    private static DistillationBatch oneBatch() {
        return DistillationBatch.of(List.of(record(new int[] {3}, new int[] {1}, List.of(TARGET))), 64);
    }

    private static TrainingRecord record(int[] prompt, int[] output, List<TopLogprobs> target) {
        return new TrainingRecord(1, "r", 0, "d", prompt, output, target);
    }

    private NDArray logitsOf(float[]... probabilities) {
        float[] flat = new float[probabilities.length * 4];
        for (int t = 0; t < probabilities.length; t++) {
            for (int v = 0; v < 4; v++) {
                flat[t * 4 + v] = (float) Math.log(probabilities[t][v]);
            }
        }
        return manager.create(flat, new Shape(1, probabilities.length, 4));
    }

    private static double loss(LossConfig config, NDArray logits, DistillationBatch batch) {
        return new DistillationLoss(config).loss(logits, batch).getFloat();
    }

    @Test
    void forwardKlMatchesHandComputation() {
        // 0.6 ln(0.6/0.2) + 0.3 ln(0.3/0.5) + 0.1 ln(0.1/0.3) = 0.659167 − 0.153248 − 0.109861
        assertEquals(0.396058, loss(LossConfig.forwardKl(), logitsOf(DRAFT), oneBatch()), TOLERANCE);
    }

    @Test
    void reverseKlMatchesHandComputation() {
        // 0.2 ln(0.2/0.6) + 0.5 ln(0.5/0.3) + 0.3 ln(0.3/0.1) = −0.219722 + 0.255413 + 0.329584
        assertEquals(0.365274, loss(LossConfig.reverseKl(), logitsOf(DRAFT), oneBatch()), TOLERANCE);
    }

    @Test
    void jensenShannonMatchesHandComputation() {
        // β = 0.5: m = (0.4, 0.4, 0.2); KL(p‖m) = 0.6 ln 1.5 + 0.3 ln 0.75 + 0.1 ln 0.5 = 0.087660,
        // KL(q‖m) = 0.2 ln 0.5 + 0.5 ln 1.25 + 0.3 ln 1.5 = 0.094582; JSD = ½(0.087660 + 0.094582)
        assertEquals(0.091121, loss(LossConfig.jsd(0.5), logitsOf(DRAFT), oneBatch()), TOLERANCE);
        // β = 0.2: m = 0.2 p + 0.8 q = (0.28, 0.46, 0.26)
        double expected = 0.2 * (0.6 * Math.log(0.6 / 0.28) + 0.3 * Math.log(0.3 / 0.46) + 0.1 * Math.log(0.1 / 0.26))
                + 0.8 * (0.2 * Math.log(0.2 / 0.28) + 0.5 * Math.log(0.5 / 0.46) + 0.3 * Math.log(0.3 / 0.26));
        assertEquals(expected, loss(LossConfig.jsd(0.2), logitsOf(DRAFT), oneBatch()), TOLERANCE);
    }

    @Test
    void totalVariationIsOneMinusExpectedAcceptance() {
        // ½(|0.6 − 0.2| + |0.3 − 0.5| + |0.1 − 0.3|) = 0.4; Σ min(p, q) = 0.2 + 0.3 + 0.1 = 0.6
        NDArray logits = logitsOf(DRAFT);
        DistillationBatch batch = oneBatch();
        assertEquals(0.4, loss(LossConfig.tvd(), logits, batch), TOLERANCE);
        DistillationLoss.Buckets buckets = DistillationLoss.project(logits, batch);
        assertEquals(0.6, DistillationLoss.expectedAcceptance(buckets).getFloat(), TOLERANCE);
        assertArrayEquals(new float[] {0.2f, 0.5f, 0.3f}, buckets.q().toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {0.6f, 0.3f, 0.1f}, buckets.p().toFloatArray(), 1e-6f);
    }

    @Test
    void weightedDivergencesAddUp() {
        LossConfig mix = new LossConfig(0.5, 2, 0, 0.5, 1, LossConfig.PositionWeighting.ALL, 1);
        assertEquals(0.5 * 0.396058 + 2 * 0.365274 + 0.4, loss(mix, logitsOf(DRAFT), oneBatch()), TOLERANCE);
    }

    @Test
    void identicalDistributionsHaveNoDivergenceAndFullAcceptance() {
        // A draft equal to the target on the buckets: q(1) = 0.6, q(0) = 0.3, the other two share the tail.
        NDArray logits = logitsOf(new float[] {0.3f, 0.6f, 0.05f, 0.05f});
        for (LossConfig config : List.of(LossConfig.forwardKl(), LossConfig.reverseKl(), LossConfig.jsd(0.5),
                LossConfig.tvd())) {
            assertEquals(0, loss(config, logits, oneBatch()), TOLERANCE, config.toString());
        }
        assertEquals(1, DistillationLoss.expectedAcceptance(DistillationLoss.project(logits, oneBatch())).getFloat(),
                TOLERANCE);
    }

    @Test
    void mistakesAreUpweighted() {
        // Position 0: the draft's argmax is token 0, the target's top-1 token 1 (a mistake).
        // Position 1: target top-2 (2 at 0.7, 3 at 0.2), tail 0.1; the draft's argmax is 2 (right).
        TopLogprobs second = new TopLogprobs(new int[] {2, 3},
                new float[] {(float) Math.log(0.7), (float) Math.log(0.2)}, 0.1f);
        DistillationBatch batch = DistillationBatch.of(
                List.of(record(new int[] {3}, new int[] {1, 2}, List.of(TARGET, second))), 64);
        NDArray logits = logitsOf(DRAFT, new float[] {0.1f, 0.1f, 0.6f, 0.2f});
        double first = 0.396058;
        // buckets (2, 3, tail): p = (0.7, 0.2, 0.1), q = (0.6, 0.2, 0.2)
        double other = 0.7 * Math.log(0.7 / 0.6) + 0.2 * Math.log(1) + 0.1 * Math.log(0.1 / 0.2);
        assertEquals((first + other) / 2, loss(LossConfig.forwardKl(), logits, batch), TOLERANCE);
        assertEquals((3 * first + other) / 4, loss(LossConfig.forwardKl().upweightMistakes(3), logits, batch), TOLERANCE);
        assertEquals(first, loss(LossConfig.forwardKl().upweightMistakes(1e6), logits, batch), 1e-4);
        assertArrayEquals(new float[] {0, 1}, DistillationLoss.greedyMatch(logits, batch).toFloatArray());
    }

    @Test
    void teacherForcingAlignsLogitsWithOutputTokens() {
        TopLogprobs[] t = new TopLogprobs[4];
        for (int j = 0; j < t.length; j++) {
            t[j] = new TopLogprobs(new int[] {10 + j}, new float[] {-0.1f}, (float) (1 - Math.exp(-0.1)));
        }
        TrainingRecord record = record(new int[] {5, 6, 7}, new int[] {20, 21, 22, 23}, List.of(t));
        DistillationBatch full = DistillationBatch.of(List.of(record), 64);
        // The draft reads prompt + output[:-1]; position 2 (the last prompt token) predicts output 0.
        assertEquals(6, full.length);
        assertArrayEquals(new long[] {5, 6, 7, 20, 21, 22}, full.tokens);
        assertArrayEquals(new float[] {0, 0, 1, 1, 1, 1}, full.mask);
        assertArrayEquals(new long[] {0, 0, 10, 11, 12, 13}, full.top1);
        assertEquals(4, full.positions());

        // Cut to the first 4 tokens: outputs 2 and 3 are predicted beyond it and drop out.
        DistillationBatch cut = DistillationBatch.of(List.of(record), 4);
        assertArrayEquals(new long[] {5, 6, 7, 20}, cut.tokens);
        assertArrayEquals(new float[] {0, 0, 1, 1}, cut.mask);

        // No prompt: nothing precedes output 0, so it has no position; output j is predicted at j − 1.
        TrainingRecord unprompted = record(new int[0], new int[] {20, 21, 22, 23}, List.of(t));
        DistillationBatch fromOutput = DistillationBatch.of(List.of(unprompted), 64);
        assertArrayEquals(new long[] {20, 21, 22}, fromOutput.tokens);
        assertArrayEquals(new long[] {11, 12, 13}, fromOutput.top1);
    }

    @Test
    void recordsOfDifferentLengthsAndTopKArePadded() {
        TopLogprobs wide = new TopLogprobs(new int[] {1, 2, 3}, new float[] {-1, -2, -3}, 0.4f);
        DistillationBatch batch = DistillationBatch.of(List.of(
                record(new int[] {3}, new int[] {1}, List.of(TARGET)),
                record(new int[] {4, 5}, new int[] {1, 2}, List.of(wide, wide))), 64);
        assertEquals(2, batch.size);
        assertEquals(3, batch.length);
        assertEquals(3, batch.k);
        assertArrayEquals(new float[] {1, 0, 0, 0, 1, 1}, batch.mask);
        // Record 0's top-2 fills two of the three buckets; the third is padding with p = 0.
        assertArrayEquals(new float[] {1, 1, 0}, java.util.Arrays.copyOfRange(batch.idMask, 0, 3));
        assertEquals(0, batch.target[2]);
        assertEquals(0.1f, batch.target[3], 1e-6f);
    }

    @Test
    void gradientsReachOnlyGeneratedPositionsAndPullTowardTheTarget() {
        // Two-token prompt, one output: position 0 is prompt-only, position 1 predicts the output.
        DistillationBatch batch = DistillationBatch.of(List.of(record(new int[] {3, 2}, new int[] {1}, List.of(TARGET))), 64);
        NDArray logits = logitsOf(DRAFT, DRAFT);
        logits.setRequiresGradient(true);
        try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
            collector.backward(new DistillationLoss(LossConfig.forwardKl()).loss(logits, batch));
        }
        float[] gradient = logits.getGradient().toFloatArray(); // [1, 2, 4]
        for (int v = 0; v < 4; v++) {
            assertEquals(0, gradient[v], "prompt position " + v);
        }
        assertTrue(gradient[4 + 1] < 0, "token 1 is under-predicted (0.2 < 0.6): its logit should rise");
        assertTrue(gradient[4] > 0, "token 0 is over-predicted (0.5 > 0.3): its logit should fall");
    }
}
