package dev.specd.querylog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TopLogprobsTest {

    @Test
    void handComputedCaseWithTiesAndTailMass() {
        // Z = e¹ + e³ + e³ + e⁰ + e² = 2.7182818 + 20.0855369 + 20.0855369 + 1 + 7.3890561 = 51.2784118
        // log Z = 3.9372698; the two e³ tie and the lower id (1) goes first.
        TopLogprobs top = TopLogprobs.fromLogits(new float[] {1, 3, 3, 0, 2}, 3);

        assertArrayEquals(new int[] {1, 2, 4}, top.tokenIds());
        assertArrayEquals(new float[] {-0.9372698f, -0.9372698f, -1.9372698f}, top.logprobs(), 1e-6f);
        // Outside the top 3: (e¹ + e⁰) / Z = 3.7182818 / 51.2784118 = 0.0725116
        assertEquals(0.0725116f, top.tailMass(), 1e-6f);
    }

    @Test
    void kAboveTheVocabularyKeepsEveryTokenAndNoTail() {
        TopLogprobs top = TopLogprobs.fromLogits(new float[] {0, (float) Math.log(2)}, 5);

        assertArrayEquals(new int[] {1, 0}, top.tokenIds());
        assertArrayEquals(new float[] {(float) Math.log(2.0 / 3), (float) Math.log(1.0 / 3)}, top.logprobs(), 1e-6f);
        assertEquals(0f, top.tailMass(), 1e-7f);
    }

    @Test
    void allTiedKeepsTheLowestIds() {
        TopLogprobs top = TopLogprobs.fromLogits(new float[] {5, 5, 5, 5}, 2);

        assertArrayEquals(new int[] {0, 1}, top.tokenIds());
        assertArrayEquals(new float[] {(float) Math.log(0.25), (float) Math.log(0.25)}, top.logprobs(), 1e-6f);
        assertEquals(0.5f, top.tailMass(), 1e-6f);
    }

    @Test
    void kZeroLeavesAllMassInTheTail() {
        TopLogprobs top = TopLogprobs.fromLogits(new float[] {1, 2}, 0);

        assertEquals(0, top.size());
        assertEquals(1f, top.tailMass());
    }

    @Test
    void hugeLogitsDoNotOverflowAndMaskedTokensHaveNoMass() {
        TopLogprobs top = TopLogprobs.fromLogits(new float[] {1000, Float.NEGATIVE_INFINITY, 1000}, 3);

        assertArrayEquals(new int[] {0, 2, 1}, top.tokenIds());
        assertArrayEquals(new float[] {(float) Math.log(0.5), (float) Math.log(0.5), Float.NEGATIVE_INFINITY},
                top.logprobs(), 1e-6f);
        assertEquals(0f, top.tailMass(), 1e-7f);
    }

    @Test
    void selectionMatchesAFullSortOnALargeVocabulary() {
        SplittableRandom random = new SplittableRandom(7);
        float[] logits = new float[32_000];
        for (int i = 0; i < logits.length; i++) {
            // Coarse values so that ties are common.
            logits[i] = random.nextInt(200) / 10f;
        }
        int[] expected = IntStream.range(0, logits.length).boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> -logits[i]).thenComparingInt(i -> i))
                .limit(20).mapToInt(Integer::intValue).toArray();

        TopLogprobs top = TopLogprobs.fromLogits(logits, 20);

        assertArrayEquals(expected, top.tokenIds());
        double total = IntStream.range(0, 20).mapToDouble(i -> Math.exp(top.logprobs()[i])).sum() + top.tailMass();
        assertEquals(1.0, total, 1e-5);
    }

    @Test
    void invalidLogitsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> TopLogprobs.fromLogits(new float[0], 1));
        assertThrows(IllegalArgumentException.class, () -> TopLogprobs.fromLogits(new float[] {1, Float.NaN}, 1));
        assertThrows(IllegalArgumentException.class,
                () -> TopLogprobs.fromLogits(new float[] {Float.NEGATIVE_INFINITY}, 1));
        assertThrows(IllegalArgumentException.class,
                () -> TopLogprobs.fromLogits(new float[] {Float.POSITIVE_INFINITY, 0}, 1));
        assertThrows(IllegalArgumentException.class, () -> TopLogprobs.fromLogits(new float[] {1}, -1));
    }
}
