package dev.specd.verifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class NgramCacheTest {

    @Test
    void emptyCacheProposesNothing() {
        NgramCache cache = new NgramCache(1, 3, 100, 4);
        assertSame(NgramProposal.EMPTY, cache.propose(new int[] {1, 2, 3}, 3, 4));
        assertEquals(0, cache.size());
    }

    @Test
    void proposesServedContinuationsWithCountBasedConfidence() {
        NgramCache cache = new NgramCache(2, 2, 100, 4);
        for (int i = 0; i < 3; i++) {
            cache.record(new int[] {1, 2, 3, 4});
        }
        cache.record(new int[] {1, 2, 5});
        NgramProposal proposal = cache.propose(new int[] {9, 9, 1, 2}, 4, 4);
        // [1, 2] → 3 three times of four: 3 / 5; then [2, 3] → 4 three of three: 3 / 4; then [3, 4] is unknown.
        assertArrayEquals(new int[] {3, 4}, proposal.tokens());
        assertArrayEquals(new double[] {3.0 / 5, 3.0 / 5 * 3.0 / 4}, proposal.confidence(), 1e-12);
    }

    @Test
    void longestKnownContextWins() {
        NgramCache cache = new NgramCache(1, 2, 100, 4);
        cache.record(new int[] {7, 1, 2});
        cache.record(new int[] {8, 1, 3});
        cache.record(new int[] {9, 1, 3});
        assertEquals(2, cache.propose(new int[] {7, 1}, 2, 1).tokens()[0], "bigram [7, 1] knows 2");
        assertEquals(3, cache.propose(new int[] {6, 1}, 2, 1).tokens()[0], "falls back to unigram [1]: 3 twice, 2 once");
    }

    @Test
    void memoryBoundHoldsUnderManyInsertions() {
        NgramCache cache = new NgramCache(1, 3, 1000, 4);
        SplittableRandom random = new SplittableRandom(3);
        for (int sequence = 0; sequence < 5000; sequence++) {
            cache.record(random.ints(40, 0, 50_000).toArray());
            assertTrue(cache.size() <= 1000, "size " + cache.size());
        }
        assertEquals(1000, cache.size());
    }

    @Test
    void leastRecentlyUsedContextsAreEvictedFirst() {
        NgramCache cache = new NgramCache(2, 2, 50, 4);
        cache.record(new int[] {100, 101, 102});
        cache.record(new int[] {200, 201, 202});
        SplittableRandom random = new SplittableRandom(4);
        for (int sequence = 0; sequence < 500; sequence++) {
            cache.record(random.ints(10, 0, 90).toArray());
            assertEquals(102, cache.propose(new int[] {100, 101}, 2, 1).tokens()[0], "kept alive by use");
        }
        assertSame(NgramProposal.EMPTY, cache.propose(new int[] {200, 201}, 2, 1), "unused: evicted");
    }

    @Test
    void frequentSuccessorSurvivesManyRareOnes() {
        // Space-Saving keeps any token seen more often than total / candidates.
        NgramCache cache = new NgramCache(1, 1, 100, 4);
        for (int rare = 1000; rare < 1100; rare++) {
            cache.record(new int[] {5, rare});
            cache.record(new int[] {5, 42});
        }
        NgramProposal proposal = cache.propose(new int[] {5}, 1, 1);
        assertArrayEquals(new int[] {42}, proposal.tokens());
        // 42 is never the least frequent, so its count is exact: 100 of 200, over 200 + 1.
        assertEquals(100.0 / 201, proposal.confidence()[0], 1e-12);
    }

    @Test
    void agingLetsRecentTrafficOvertakeAnOldFavourite() {
        NgramCache cache = new NgramCache(1, 1, 100, 4);
        int[] old = {5, 1};
        int[] recent = {5, 2};
        for (int i = 0; i < 70_000; i++) {
            cache.record(old);
        }
        for (int i = 0; i < 40_000; i++) {
            cache.record(recent);
        }
        // Without halving at 65,536 the old favourite would still lead 70,000 to 40,000.
        assertArrayEquals(new int[] {2}, cache.propose(new int[] {5}, 1, 1).tokens());
    }

    @Test
    void oneWriterAndTheInferenceReaderRunConcurrently() throws Exception {
        int vocab = 64;
        NgramCache cache = new NgramCache(1, 3, 2000, 4);
        AtomicBoolean writing = new AtomicBoolean(true);
        try (ExecutorService threads = Executors.newFixedThreadPool(2)) {
            Future<?> writer = threads.submit(() -> {
                SplittableRandom random = new SplittableRandom(5);
                for (int sequence = 0; sequence < 3000; sequence++) {
                    cache.record(random.ints(32, 0, vocab).toArray());
                }
                writing.set(false);
            });
            Future<Integer> reader = threads.submit(() -> {
                SplittableRandom random = new SplittableRandom(6);
                int proposals = 0;
                while (writing.get() || proposals < 100) {
                    int[] context = random.ints(8, 0, vocab).toArray();
                    NgramProposal proposal = cache.propose(context, context.length, 4);
                    double previous = 1;
                    for (int i = 0; i < proposal.size(); i++) {
                        assertTrue(proposal.tokens()[i] >= 0 && proposal.tokens()[i] < vocab);
                        assertTrue(proposal.confidence()[i] > 0 && proposal.confidence()[i] <= previous);
                        previous = proposal.confidence()[i];
                    }
                    proposals++;
                    assertTrue(cache.size() <= 2000);
                }
                return proposals;
            });
            writer.get(30, TimeUnit.SECONDS);
            assertTrue(reader.get(30, TimeUnit.SECONDS) >= 100);
        }
        assertEquals(2000, cache.size());
    }
}
