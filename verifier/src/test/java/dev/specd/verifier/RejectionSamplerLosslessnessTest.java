package dev.specd.verifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specd.model.LogitsProcessor;
import dev.specd.model.SamplingParams;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.IntUnaryOperator;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Speculative sampling emits exactly the target's distribution, checked end to end on a toy Markov
 * target and draft over 8 tokens: the empirical distributions of the first emitted token, of
 * 2-token and of 3-token sequences must match the target's by Pearson's χ².
 *
 * <p>Tolerance: every χ² p-value must exceed {@value #SIGNIFICANCE} with {@value #SAMPLES} sampled
 * sequences per case (cells expecting fewer than 5 samples pooled; a sample in a cell the target
 * gives probability 0 fails outright). Seeds are fixed, so the outcome is reproducible. The same
 * test at the same sample size rejects a plausible bug — resampling from p instead of the residual
 * after a rejection — with a p-value below 1e-12 ({@link #resamplingFromTargetIsDetected}).
 */
class RejectionSamplerLosslessnessTest {

    static final int VOCAB = 8;
    static final int SAMPLES = 200_000;
    static final double SIGNIFICANCE = 1e-3;
    /** The context's last token: the Markov state before the first emitted token. */
    static final int START = 0;

    /**
     * A Markov target and draft: row prev of each matrix is the next-token distribution after prev.
     * A null draft proposes deterministically (an n-gram drafter), {@code proposer.applyAsInt(prev)}.
     */
    record MarkovPair(String name, float[][] target, float[][] draft, IntUnaryOperator proposer) {

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> cases() {
        return Stream.of(randomPair(), badDraft(), disjointSupports(), topKTopP(), deterministicProposal())
                .flatMap(pair -> Stream.of(1, 2, 4).map(gamma -> Arguments.of(pair, gamma)));
    }

    @ParameterizedTest(name = "{0}, gamma {1}")
    @MethodSource("cases")
    void emittedSequencesFollowTheTarget(MarkovPair pair, int gamma) {
        RandomGenerator random = new SplittableRandom(1000L * gamma + pair.name().hashCode());
        long[] first = new long[VOCAB];
        long[] pairs = new long[VOCAB * VOCAB];
        long[] triples = new long[VOCAB * VOCAB * VOCAB];
        for (int sample = 0; sample < SAMPLES; sample++) {
            int[] tokens = generate(pair, gamma, 3, random);
            first[tokens[0]]++;
            pairs[tokens[0] * VOCAB + tokens[1]]++;
            triples[(tokens[0] * VOCAB + tokens[1]) * VOCAB + tokens[2]]++;
        }
        double[][] target = normalized(pair.target());
        assertFits(first, sequenceProbabilities(target, 1), pair + " first token");
        assertFits(pairs, sequenceProbabilities(target, 2), pair + " 2-token sequences");
        assertFits(triples, sequenceProbabilities(target, 3), pair + " 3-token sequences");
    }

    /** The test has power: emitting a draw from p (not from the residual) after a rejection fails it. */
    @Test
    void resamplingFromTargetIsDetected() {
        MarkovPair pair = badDraft();
        RandomGenerator random = new SplittableRandom(7);
        long[] first = new long[VOCAB];
        float[] p = pair.target()[START];
        float[] q = pair.draft()[START];
        for (int sample = 0; sample < SAMPLES; sample++) {
            int x = LogitsProcessor.sample(q, random);
            boolean accepted = random.nextDouble() * q[x] < p[x];
            first[accepted ? x : LogitsProcessor.sample(p, random)]++;
        }
        double pValue = ChiSquare.pValue(first, sequenceProbabilities(normalized(pair.target()), 1));
        assertTrue(pValue < 1e-12, "the flawed sampler went undetected, p-value " + pValue);
    }

    /** Leviathan et al.'s theorem: position 1 is accepted with probability Σ min(p, q). */
    @Test
    void acceptanceRateIsTheOverlapOfTargetAndDraft() {
        MarkovPair pair = randomPair();
        float[] p = pair.target()[START];
        float[] q = pair.draft()[START];
        double overlap = 0;
        for (int token = 0; token < VOCAB; token++) {
            overlap += Math.min(p[token], q[token]);
        }
        RandomGenerator random = new SplittableRandom(11);
        int accepted = 0;
        for (int sample = 0; sample < SAMPLES; sample++) {
            int[] drafted = {LogitsProcessor.sample(q, random)};
            RejectionSampler.Verdict verdict =
                    RejectionSampler.verify(drafted, new float[][] {q}, new float[][] {p, p}, random);
            accepted += verdict.acceptedCount();
            assertEquals(overlap, verdict.expectedAcceptance()[0], 1e-6);
        }
        double rate = (double) accepted / SAMPLES;
        double standardError = Math.sqrt(overlap * (1 - overlap) / SAMPLES);
        // 5 standard errors: a two-sided normal tail of 6e-7.
        assertEquals(overlap, rate, 5 * standardError);
        assertTrue(overlap > 0.2 && overlap < 0.9, "the pair should make acceptance uncertain, overlap " + overlap);
    }

    /** Temperature 0: whatever the draft proposes, the output is exactly the target's argmax chain. */
    @ParameterizedTest(name = "gamma {0}")
    @MethodSource("gammas")
    void greedyEmitsTheTargetArgmaxChain(int gamma) {
        SplittableRandom setup = new SplittableRandom(5);
        float[][] targetLogits = randomLogits(setup, 2.0);
        float[][] target = processed(targetLogits, SamplingParams.GREEDY);
        // The draft agrees with the target on some rows only: the draft's logits are noisy.
        float[][] greedyDraft = processed(perturbed(targetLogits, setup, 1.5), SamplingParams.GREEDY);
        float[][] samplingDraft = processed(perturbed(targetLogits, setup, 1.5), SamplingParams.ofTemperature(1.0));
        int length = 64;
        int[] argmaxChain = new int[length];
        int state = START;
        for (int i = 0; i < length; i++) {
            state = LogitsProcessor.argmax(target[state]);
            argmaxChain[i] = state;
        }
        for (float[][] draft : new float[][][] {greedyDraft, samplingDraft}) {
            for (long seed = 0; seed < 3; seed++) {
                MarkovPair pair = new MarkovPair("greedy", target, draft, null);
                int[] emitted = generateCheckingGreedySteps(pair, gamma, length, new SplittableRandom(seed));
                assertArrayEquals(argmaxChain, emitted);
            }
        }
    }

    static Stream<Integer> gammas() {
        return Stream.of(1, 2, 4);
    }

    /** Runs the speculative loop, checking each greedy step is "accept while draft == argmax, then argmax". */
    private static int[] generateCheckingGreedySteps(MarkovPair pair, int gamma, int length, RandomGenerator random) {
        int[] out = new int[length];
        int emitted = 0;
        int last = START;
        while (emitted < length) {
            Step step = draftAndVerify(pair, gamma, last, random);
            int agreeing = 0;
            int state = last;
            while (agreeing < gamma && step.drafted()[agreeing] == LogitsProcessor.argmax(pair.target()[state])) {
                state = step.drafted()[agreeing++];
            }
            assertEquals(agreeing, step.verdict().acceptedCount(), "greedy accepts exactly the agreeing prefix");
            assertEquals(LogitsProcessor.argmax(pair.target()[state]), step.verdict().nextToken(),
                    "greedy corrects with the target's argmax");
            for (int token : step.verdict().emitted(step.drafted())) {
                if (emitted < length) {
                    out[emitted++] = token;
                }
                last = token;
            }
        }
        return out;
    }

    record Step(int[] drafted, RejectionSampler.Verdict verdict) {}

    /** The first {@code length} tokens a speculative decode of the toy pair emits. */
    static int[] generate(MarkovPair pair, int gamma, int length, RandomGenerator random) {
        int[] out = new int[length];
        int emitted = 0;
        int last = START;
        while (emitted < length) {
            Step step = draftAndVerify(pair, gamma, last, random);
            int[] tokens = step.verdict().emitted(step.drafted());
            for (int i = 0; i < tokens.length && emitted < length; i++) {
                out[emitted++] = tokens[i];
            }
            last = tokens[tokens.length - 1];
        }
        return out;
    }

    /** γ draft steps from state {@code last}, then verification against the target's γ + 1 rows. */
    private static Step draftAndVerify(MarkovPair pair, int gamma, int last, RandomGenerator random) {
        int[] drafted = new int[gamma];
        float[][] q = pair.draft() == null ? null : new float[gamma][];
        float[][] p = new float[gamma + 1][];
        int state = last;
        for (int i = 0; i < gamma; i++) {
            p[i] = pair.target()[state];
            if (q != null) {
                q[i] = pair.draft()[state];
                drafted[i] = LogitsProcessor.sample(q[i], random);
            } else {
                drafted[i] = pair.proposer().applyAsInt(state);
            }
            state = drafted[i];
        }
        p[gamma] = pair.target()[state];
        return new Step(drafted, RejectionSampler.verify(drafted, q, p, random));
    }

    private static void assertFits(long[] observed, double[] probabilities, String what) {
        double pValue = ChiSquare.pValue(observed, probabilities);
        assertTrue(pValue > SIGNIFICANCE, what + ": χ² p-value " + pValue + " <= " + SIGNIFICANCE
                + (observed.length <= VOCAB * VOCAB ? ", observed " + Arrays.toString(observed) : ""));
    }

    /** [V^length] exact probability of each token sequence from START, index = base-V digits. */
    static double[] sequenceProbabilities(double[][] target, int length) {
        double[] probabilities = {1};
        int[] lastToken = {START};
        for (int step = 0; step < length; step++) {
            double[] next = new double[probabilities.length * VOCAB];
            int[] nextLast = new int[next.length];
            for (int prefix = 0; prefix < probabilities.length; prefix++) {
                for (int token = 0; token < VOCAB; token++) {
                    next[prefix * VOCAB + token] = probabilities[prefix] * target[lastToken[prefix]][token];
                    nextLast[prefix * VOCAB + token] = token;
                }
            }
            probabilities = next;
            lastToken = nextLast;
        }
        return probabilities;
    }

    /** Rows renormalized in double: float rows sum to 1 only within rounding. */
    static double[][] normalized(float[][] rows) {
        double[][] out = new double[rows.length][VOCAB];
        for (int row = 0; row < rows.length; row++) {
            double total = 0;
            for (float value : rows[row]) {
                total += value;
            }
            for (int token = 0; token < VOCAB; token++) {
                out[row][token] = rows[row][token] / total;
            }
        }
        return out;
    }

    static MarkovPair randomPair() {
        SplittableRandom random = new SplittableRandom(1);
        return new MarkovPair("random p and q", randomRows(random), randomRows(random), null);
    }

    /** q puts its mass where p has little: q ∝ (max p − p + 0.01)^4. Acceptance is low. */
    static MarkovPair badDraft() {
        float[][] target = randomRows(new SplittableRandom(2));
        float[][] draft = new float[VOCAB][VOCAB];
        for (int row = 0; row < VOCAB; row++) {
            double max = 0;
            for (float p : target[row]) {
                max = Math.max(max, p);
            }
            double[] weights = new double[VOCAB];
            for (int token = 0; token < VOCAB; token++) {
                weights[token] = Math.pow(max - target[row][token] + 0.01, 4);
            }
            draft[row] = toDistribution(weights);
        }
        return new MarkovPair("bad draft", target, draft, null);
    }

    /**
     * p is zero on tokens q proposes and q zero on tokens p needs: p lives on tokens (row + k) mod V
     * for k in 0..4, q on (row + k) mod V for k in 3..7. Row 0, the start, has fully disjoint
     * supports (p on 0..3, q on 4..7), so its first drafted token is always rejected.
     */
    static MarkovPair disjointSupports() {
        SplittableRandom random = new SplittableRandom(3);
        float[][] target = new float[VOCAB][];
        float[][] draft = new float[VOCAB][];
        for (int row = 0; row < VOCAB; row++) {
            double[] p = new double[VOCAB];
            double[] q = new double[VOCAB];
            for (int k = 0; k < VOCAB; k++) {
                int token = (row + k) % VOCAB;
                boolean inP = row == 0 ? k < 4 : k <= 4;
                boolean inQ = row == 0 ? k >= 4 : k >= 3;
                p[token] = inP ? 0.1 + random.nextDouble() : 0;
                q[token] = inQ ? 0.1 + random.nextDouble() : 0;
            }
            target[row] = toDistribution(p);
            draft[row] = toDistribution(q);
        }
        return new MarkovPair("disjoint supports", target, draft, null);
    }

    /** Both sides through LogitsProcessor with temperature, top-k and top-p; the draft's logits are noisy. */
    static MarkovPair topKTopP() {
        SplittableRandom random = new SplittableRandom(4);
        float[][] logits = randomLogits(random, 2.0);
        SamplingParams params = new SamplingParams(0.8, 5, 0.9);
        float[][] target = processed(logits, params);
        float[][] draft = processed(perturbed(logits, random, 1.0), params);
        return new MarkovPair("top-k top-p", target, draft, null);
    }

    /** An n-gram-like drafter: a fixed next token per state, often one the top-k target forbids. */
    static MarkovPair deterministicProposal() {
        SplittableRandom random = new SplittableRandom(6);
        float[][] target = processed(randomLogits(random, 2.0), new SamplingParams(1.0, 4, 1.0));
        return new MarkovPair("deterministic proposal", target, null, state -> (3 * state + 1) % VOCAB);
    }

    static float[][] randomRows(SplittableRandom random) {
        float[][] rows = new float[VOCAB][];
        for (int row = 0; row < VOCAB; row++) {
            double[] weights = new double[VOCAB];
            for (int token = 0; token < VOCAB; token++) {
                weights[token] = -Math.log(1 - random.nextDouble()); // Exp(1): a uniform Dirichlet draw
            }
            rows[row] = toDistribution(weights);
        }
        return rows;
    }

    static float[] toDistribution(double[] weights) {
        double total = Arrays.stream(weights).sum();
        float[] distribution = new float[weights.length];
        for (int token = 0; token < weights.length; token++) {
            distribution[token] = (float) (weights[token] / total);
        }
        return distribution;
    }

    static float[][] randomLogits(SplittableRandom random, double scale) {
        float[][] logits = new float[VOCAB][VOCAB];
        for (float[] row : logits) {
            for (int token = 0; token < VOCAB; token++) {
                row[token] = (float) (scale * random.nextGaussian());
            }
        }
        return logits;
    }

    static float[][] perturbed(float[][] logits, SplittableRandom random, double noise) {
        float[][] out = new float[logits.length][];
        for (int row = 0; row < logits.length; row++) {
            out[row] = logits[row].clone();
            for (int token = 0; token < out[row].length; token++) {
                out[row][token] += (float) (noise * random.nextGaussian());
            }
        }
        return out;
    }

    static float[][] processed(float[][] logits, SamplingParams params) {
        float[][] out = new float[logits.length][];
        for (int row = 0; row < logits.length; row++) {
            out[row] = LogitsProcessor.probabilities(logits[row], params);
        }
        return out;
    }
}
