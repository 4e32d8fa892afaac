package dev.specd.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LogitsProcessorTest {

    private static final float[] LOGITS = {1.0f, 3.0f, 2.0f, 0.5f, 3.0f, -1.0f};
    private static final double EXACT = 1e-6;

    @Test
    void greedyIsOneHotOnTheFirstArgmax() {
        float[] p = LogitsProcessor.probabilities(LOGITS, SamplingParams.GREEDY);
        assertArrayEquals(new float[] {0, 1, 0, 0, 0, 0}, p);
        assertEquals(1, LogitsProcessor.argmax(LOGITS));
    }

    @Test
    void temperatureScalesLogitsBeforeTheSoftmax() {
        double temperature = 0.7;
        float[] p = LogitsProcessor.probabilities(LOGITS, SamplingParams.ofTemperature(temperature));
        double total = 0;
        for (float logit : LOGITS) {
            total += Math.exp(logit / temperature);
        }
        for (int i = 0; i < LOGITS.length; i++) {
            assertEquals(Math.exp(LOGITS[i] / temperature) / total, p[i], EXACT);
        }
    }

    @Test
    void topKKeepsTheKLargestAndRenormalises() {
        float[] p = LogitsProcessor.probabilities(LOGITS, new SamplingParams(1.0, 3, 1.0));
        double kept = Math.exp(3) + Math.exp(2) + Math.exp(3);
        assertEquals(0, p[0]);
        assertEquals(Math.exp(3) / kept, p[1], EXACT);
        assertEquals(Math.exp(2) / kept, p[2], EXACT);
        assertEquals(0, p[3]);
        assertEquals(Math.exp(3) / kept, p[4], EXACT);
        assertEquals(0, p[5]);
    }

    @Test
    void topPKeepsTheSmallestMostLikelySetReachingP() {
        float[] full = LogitsProcessor.probabilities(LOGITS, SamplingParams.ofTemperature(1.0));
        // Sorted: tokens 1 and 4 (0.384 each), 2 (0.141), 0 (0.052)...: reaching 0.5 takes tokens 1 and 4.
        float[] p = LogitsProcessor.probabilities(LOGITS, new SamplingParams(1.0, 0, 0.5));
        assertEquals(0.5, p[1], EXACT);
        assertEquals(0.5, p[4], EXACT);
        assertEquals(0, p[2] + p[0] + p[3] + p[5]);
        // 0.8 is past tokens 1 + 4 (0.768): token 2 joins.
        float[] wider = LogitsProcessor.probabilities(LOGITS, new SamplingParams(1.0, 0, 0.8));
        double kept = full[1] + full[4] + full[2];
        assertEquals(full[2] / kept, wider[2], EXACT);
        assertEquals(0, wider[0]);
    }

    @Test
    void topKThenTopPCombine() {
        float[] p = LogitsProcessor.probabilities(LOGITS, new SamplingParams(1.0, 2, 0.4));
        // Top-2 leaves tokens 1 and 4 at 0.5 each; 0.4 keeps the first of the tie, the lower id.
        assertArrayEquals(new float[] {0, 1, 0, 0, 0, 0}, p);
    }

    @Test
    void samplingFollowsTheDistribution() {
        float[] p = {0.1f, 0.0f, 0.6f, 0.3f};
        SplittableRandom random = new SplittableRandom(42);
        int[] counts = new int[p.length];
        int draws = 100_000;
        for (int i = 0; i < draws; i++) {
            counts[LogitsProcessor.sample(p, random)]++;
        }
        assertEquals(0, counts[1]);
        for (int i = 0; i < p.length; i++) {
            // 5 standard deviations of a binomial count: fails by chance about once in 10⁶ runs.
            double sd = Math.sqrt(draws * p[i] * (1 - p[i]));
            assertEquals(draws * p[i], counts[i], 5 * sd + 1e-9, "token " + i);
        }
    }

    @Test
    void outOfRangeParametersAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(-0.1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(Double.NaN, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(SamplingParams.MAX_TEMPERATURE + 0.1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(1, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(1, 0, 1.01));
    }
}
