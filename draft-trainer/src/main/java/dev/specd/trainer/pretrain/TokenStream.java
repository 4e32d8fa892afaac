package dev.specd.trainer.pretrain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Random training windows from several domains, mixed by weight. A batch is a pure function of
 * (seed, step): resuming at step s draws exactly the batches an uninterrupted run would have, so
 * the only random state a checkpoint needs is the step number.
 */
public final class TokenStream {

    /** [B × (T + 1)] token ids, row-major: row b holds inputs b[0..T) and targets b[1..T]. */
    public record Batch(int batchSize, int sequenceLength, long[] tokens) {}

    private final List<TokenizedDomain> domains = new ArrayList<>();
    private final double[] cumulativeWeights;
    private final long seed;

    /** Domains with weight 0, or absent from {@code weights}, are not drawn from. */
    public TokenStream(List<TokenizedDomain> all, Map<String, Double> weights, long seed) {
        List<Double> kept = new ArrayList<>();
        for (TokenizedDomain domain : all) {
            double weight = weights.getOrDefault(domain.domain(), 0.0);
            if (weight > 0) {
                domains.add(domain);
                kept.add(weight);
            }
        }
        for (String named : weights.keySet()) {
            if (weights.get(named) > 0 && all.stream().noneMatch(d -> d.domain().equals(named))) {
                throw new IllegalArgumentException("no corpus for domain " + named);
            }
        }
        if (domains.isEmpty()) {
            throw new IllegalArgumentException("no domain has a positive weight: " + weights);
        }
        double total = kept.stream().mapToDouble(Double::doubleValue).sum();
        cumulativeWeights = new double[kept.size()];
        double sum = 0;
        for (int i = 0; i < kept.size(); i++) {
            sum += kept.get(i) / total;
            cumulativeWeights[i] = sum;
        }
        this.seed = seed;
    }

    /** The domains this stream draws from, in the order they were given. */
    public List<TokenizedDomain> domains() {
        return List.copyOf(domains);
    }

    public Batch batch(long step, int batchSize, int sequenceLength) {
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + step);
        long[] tokens = new long[batchSize * (sequenceLength + 1)];
        for (int row = 0; row < batchSize; row++) {
            int[] source = domains.get(pickDomain(random.nextDouble())).train();
            int window = sequenceLength + 1;
            if (source.length < window) {
                throw new IllegalArgumentException("a domain has " + source.length
                        + " training tokens, fewer than one window of " + window);
            }
            int start = random.nextInt(source.length - window + 1);
            for (int t = 0; t < window; t++) {
                tokens[row * window + t] = source[start + t];
            }
        }
        return new Batch(batchSize, sequenceLength, tokens);
    }

    private int pickDomain(double uniform) {
        for (int i = 0; i < cumulativeWeights.length - 1; i++) {
            if (uniform < cumulativeWeights[i]) {
                return i;
            }
        }
        return cumulativeWeights.length - 1;
    }

    /**
     * {@code count} windows of {@code sequenceLength + 1} held-out tokens, evenly spaced over the
     * domain's held-out stream (overlapping when it is short). The same for every model and run.
     */
    public static Batch heldOutWindows(TokenizedDomain domain, int count, int sequenceLength) {
        int window = sequenceLength + 1;
        int[] source = domain.heldOut();
        if (source.length < window) {
            throw new IllegalArgumentException(domain.domain() + ": " + source.length
                    + " held-out tokens, fewer than one window of " + window);
        }
        long[] tokens = new long[count * window];
        for (int row = 0; row < count; row++) {
            int start = count == 1 ? 0 : (int) ((long) row * (source.length - window) / (count - 1));
            for (int t = 0; t < window; t++) {
                tokens[row * window + t] = source[start + t];
            }
        }
        return new Batch(count, sequenceLength, tokens);
    }
}
