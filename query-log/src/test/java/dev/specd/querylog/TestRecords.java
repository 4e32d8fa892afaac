package dev.specd.querylog;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Deterministic query records: the same index always gives the same record, in any JVM. */
final class TestRecords {

    /** Llama 2's vocabulary size: token ids fit 16 bits. */
    static final int VOCABULARY = 32_000;

    private TestRecords() {
    }

    /** A typical served request: 200 prompt tokens, 128 output tokens, top-20 per position. */
    static QueryRecord typical(int index, long createdAtMillis) {
        return record(index, createdAtMillis, 200, 128, 20);
    }

    /** A small record, for tests that want many of them quickly. */
    static QueryRecord small(int index, long createdAtMillis) {
        return record(index, createdAtMillis, 16, 8, 4);
    }

    /**
     * Log-probabilities are generated as float16 values, which the log stores exactly, so a record read back
     * equals the one written.
     */
    static QueryRecord record(int index, long createdAtMillis, int promptLength, int outputLength, int k) {
        return record(index, createdAtMillis, promptLength, outputLength, k, VOCABULARY);
    }

    static QueryRecord record(int index, long createdAtMillis, int promptLength, int outputLength, int k,
            int vocabulary) {
        SplittableRandom random = new SplittableRandom(index);
        int[] prompt = random.ints(promptLength, 0, vocabulary).toArray();
        int[] output = random.ints(outputLength, 0, vocabulary).toArray();
        List<Integer> drafted = new ArrayList<>();
        List<Integer> accepted = new ArrayList<>();
        for (int produced = 0; produced < outputLength; ) {
            int gamma = 4;
            int kept = random.nextInt(gamma + 1);
            drafted.add(gamma);
            accepted.add(kept);
            produced += kept + 1;
        }
        List<TopLogprobs> distributions = new ArrayList<>(outputLength);
        for (int position = 0; position < outputLength; position++) {
            distributions.add(distribution(random, k, vocabulary));
        }
        return new QueryRecord(
                "req-" + index,
                createdAtMillis,
                index % 2 == 0 ? "completions" : "chat.completions",
                prompt,
                output,
                0.7,
                50,
                0.95,
                index % 3 == 0 ? null : (long) index * 7919,
                256,
                index % 5 == 0 ? null : "user-" + index % 7,
                Map.of("domain", "code", "tenant", "t" + index % 3),
                "code",
                "v0003",
                "model",
                drafted.stream().mapToInt(Integer::intValue).toArray(),
                accepted.stream().mapToInt(Integer::intValue).toArray(),
                distributions);
    }

    private static TopLogprobs distribution(SplittableRandom random, int k, int vocabulary) {
        int[] ids = random.ints(k, 0, vocabulary).toArray();
        float[] logprobs = new float[k];
        double logprob = -random.nextDouble(0.5);
        for (int i = 0; i < k; i++) {
            logprobs[i] = TopLogprobsCodec.stored((float) logprob);
            logprob -= random.nextDouble(0.7);
        }
        return new TopLogprobs(ids, logprobs, (float) random.nextDouble(0.05));
    }
}
