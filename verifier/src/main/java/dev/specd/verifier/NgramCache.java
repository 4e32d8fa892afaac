package dev.specd.verifier;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Cross-request n-gram statistics from recently served sequences: for each context of n tokens
 * (minN ≤ n ≤ maxN), which tokens followed it and how often. Proposes by chaining the most frequent
 * next token of the longest known context.
 *
 * <p>Memory is bounded twice: at most {@code maxEntries} contexts, the least recently used evicted
 * first (recording or proposing counts as use), and at most {@code candidatesPerContext} next
 * tokens per context, kept with the Space-Saving algorithm (Metwally et al. 2005: an unseen token
 * replaces the least frequent one and inherits its count + 1, so Σ counts stays the total). With 4
 * candidates an entry is about 160 bytes on a 64-bit JVM. Once a context has been followed
 * {@value #AGING_TOTAL} times its counts halve, so that recent traffic can overturn old favourites.
 *
 * <p>Contexts are keyed by a 64-bit hash of (n, tokens), not stored: a collision can only cost a
 * poor proposal, which verification rejects; it can never change what is emitted.
 *
 * <p>Thread-safe for a writer recording served sequences while the inference thread proposes: both
 * hold one lock, the writer for one position at a time, the reader for one proposal.
 */
public final class NgramCache {

    static final int AGING_TOTAL = 1 << 16;

    private final int minN;
    private final int maxN;
    private final int maxEntries;
    private final int candidatesPerContext;
    private final LinkedHashMap<Long, NextTokenCounts> entries;

    public NgramCache(int minN, int maxN, int maxEntries, int candidatesPerContext) {
        if (minN < 1 || maxN < minN || maxEntries < 1 || candidatesPerContext < 1) {
            throw new IllegalArgumentException("need 1 <= minN <= maxN, maxEntries >= 1 and candidatesPerContext >= 1, got "
                    + minN + ", " + maxN + ", " + maxEntries + ", " + candidatesPerContext);
        }
        this.minN = minN;
        this.maxN = maxN;
        this.maxEntries = maxEntries;
        this.candidatesPerContext = candidatesPerContext;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, NextTokenCounts> eldest) {
                return size() > NgramCache.this.maxEntries;
            }
        };
    }

    /** Learns every (context → next token) pair of a served sequence (prompt and output, or output only). */
    public void record(int[] tokens) {
        long[] keys = new long[maxN + 1];
        for (int end = minN; end < tokens.length; end++) {
            int longest = Math.min(maxN, end);
            for (int n = minN; n <= longest; n++) {
                keys[n] = contextHash(tokens, end, n);
            }
            synchronized (this) {
                for (int n = minN; n <= longest; n++) {
                    entries.computeIfAbsent(keys[n], key -> new NextTokenCounts(candidatesPerContext)).add(tokens[end]);
                }
            }
        }
    }

    /**
     * Up to maxTokens tokens to follow tokens[0..length): repeatedly the most frequent successor of
     * the longest known context, stopping at the first unknown one. confidence[i] is the product of
     * count(token) / (total + 1) over the chain so far.
     */
    public NgramProposal propose(int[] tokens, int length, int maxTokens) {
        if (maxTokens < 1) {
            return NgramProposal.EMPTY;
        }
        int contextLength = Math.min(maxN, length);
        // [contextLength + maxTokens] the context's tail, then the proposal as it grows.
        int[] window = Arrays.copyOfRange(tokens, length - contextLength, length + maxTokens);
        int[] proposal = new int[maxTokens];
        double[] confidence = new double[maxTokens];
        double allAccepted = 1;
        int size = 0;
        synchronized (this) {
            while (size < maxTokens) {
                NextTokenCounts counts = longestKnownContext(window, contextLength + size);
                if (counts == null) {
                    break;
                }
                int best = counts.mostFrequent();
                allAccepted *= (double) counts.counts[best] / (counts.total + 1);
                proposal[size] = counts.tokens[best];
                confidence[size] = allAccepted;
                window[contextLength + size] = proposal[size];
                size++;
            }
        }
        return size == 0 ? NgramProposal.EMPTY
                : new NgramProposal(Arrays.copyOf(proposal, size), Arrays.copyOf(confidence, size));
    }

    public synchronized int size() {
        return entries.size();
    }

    public int maxEntries() {
        return maxEntries;
    }

    private NextTokenCounts longestKnownContext(int[] window, int end) {
        for (int n = Math.min(maxN, end); n >= minN; n--) {
            NextTokenCounts counts = entries.get(contextHash(window, end, n));
            if (counts != null) {
                return counts;
            }
        }
        return null;
    }

    /** 64-bit hash of (n, tokens[end − n..end)); the finaliser is MurmurHash3's fmix64. */
    static long contextHash(int[] tokens, int end, int n) {
        long hash = n * 0x9E3779B97F4A7C15L;
        for (int i = end - n; i < end; i++) {
            hash = Long.rotateLeft(hash ^ (tokens[i] * 0xC2B2AE3D27D4EB4FL), 31) * 0x9E3779B97F4A7C15L;
        }
        hash ^= hash >>> 33;
        hash *= 0xFF51AFD7ED558CCDL;
        hash ^= hash >>> 33;
        hash *= 0xC4CEB9FE1A85EC53L;
        return hash ^ (hash >>> 33);
    }

    /** Space-Saving top-k counter of the tokens that followed one context. */
    private static final class NextTokenCounts {

        final int[] tokens;
        final int[] counts;
        int used;
        int total;

        NextTokenCounts(int capacity) {
            tokens = new int[capacity];
            counts = new int[capacity];
        }

        void add(int token) {
            total++;
            for (int slot = 0; slot < used; slot++) {
                if (tokens[slot] == token) {
                    counts[slot]++;
                    ageIfDue();
                    return;
                }
            }
            int slot = used < tokens.length ? used++ : leastFrequent();
            tokens[slot] = token;
            counts[slot]++;
            ageIfDue();
        }

        int mostFrequent() {
            int best = 0;
            for (int slot = 1; slot < used; slot++) {
                if (counts[slot] > counts[best]) {
                    best = slot;
                }
            }
            return best;
        }

        private int leastFrequent() {
            int least = 0;
            for (int slot = 1; slot < used; slot++) {
                if (counts[slot] < counts[least]) {
                    least = slot;
                }
            }
            return least;
        }

        private void ageIfDue() {
            if (total < AGING_TOTAL) {
                return;
            }
            total = 0;
            for (int slot = 0; slot < used; slot++) {
                counts[slot] = Math.max(1, counts[slot] / 2);
                total += counts[slot];
            }
        }
    }
}
