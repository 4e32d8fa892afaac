package dev.specd.verifier;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.specd.model.Backend;
import dev.specd.model.CausalLM;
import dev.specd.model.KVCache;
import dev.specd.model.LogitsProcessor;
import dev.specd.model.ModelConfig;
import dev.specd.model.SamplingParams;
import dev.specd.model.ScoreRequest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The whole speculative loop — draft model, batched target verification, KV rollback — samples
 * exactly the target's distribution. On a 5-token vocabulary, 4-token continuations of a fixed
 * prompt (625 outcomes) are drawn many times with a deliberately poor draft and compared with the
 * target's exact sequence probabilities by Pearson's χ² test, on each backend.
 */
class SpeculativeLosslessnessTest {

    private static final int VOCAB = 5;
    private static final int LENGTH = 4;
    private static final int SAMPLES = 20_000;
    /** χ² p-value floor: a correct sampler fails it by chance once in 1,000 runs (seeds are fixed). */
    private static final double SIGNIFICANCE = 1e-3;
    private static final int[] PROMPT = {1, 3, 0};
    /** Draft γ = 3 whenever max_tokens allows (2 after the prefilled first token). */
    private static final AdaptiveSpeculation.Config FIXED_GAMMA = new AdaptiveSpeculation.Config(3, 3, 3, 0, 0.5, 0.1, 1);

    @TempDir
    static Path dir;
    static final Map<Backend, CausalLM> targets = new EnumMap<>(Backend.class);
    static final Map<Backend, CausalLM> drafts = new EnumMap<>(Backend.class);

    @BeforeAll
    static void loadModels() throws IOException {
        TestModels.write(dir.resolve("target"), TestModels.config(VOCAB, 16, 2, List.of()), 11, 0.6);
        // Another seed: its distributions are unrelated to the target's, often far off.
        TestModels.write(dir.resolve("draft"), TestModels.config(VOCAB, 16, 1, List.of()), 12, 0.6);
        for (Backend backend : Backend.values()) {
            targets.put(backend, backend.load(dir.resolve("target"), Device.cpu(), DataType.FLOAT32));
            drafts.put(backend, backend.load(dir.resolve("draft"), Device.cpu(), DataType.FLOAT32));
        }
    }

    @AfterAll
    static void closeModels() {
        targets.values().forEach(CausalLM::close);
        drafts.values().forEach(CausalLM::close);
    }

    static Stream<Arguments> samplingParameters() {
        return Stream.of(Backend.values()).flatMap(backend -> Stream.of(
                Arguments.of(backend, SamplingParams.ofTemperature(1.0)),
                Arguments.of(backend, new SamplingParams(0.8, 4, 0.9))));
    }

    @ParameterizedTest
    @MethodSource("samplingParameters")
    void speculativeSamplesFollowTheTargetDistribution(Backend backend, SamplingParams sampling) {
        CausalLM target = targets.get(backend);
        CausalLM draft = drafts.get(backend);
        double[] expected = exactSequenceProbabilities(target, sampling);
        long[] observed = new long[expected.length];
        int batch = 64;
        try (KVCache targetCache = target.newCache(batch, 16, Long.MAX_VALUE);
                SpeculativeDecoder decoder = new SpeculativeDecoder(target, targetCache,
                        new DraftModelDrafter(draft, draft.newCache(batch, 16, Long.MAX_VALUE)), FIXED_GAMMA,
                        Arrays::toString, new MeasuredCost(1, 0.02, 0.2))) {
            for (int first = 0; first < SAMPLES; first += batch) {
                List<Sequence> sequences = new ArrayList<>();
                for (int seed = first; seed < Math.min(SAMPLES, first + batch); seed++) {
                    GenerationRequest request = new GenerationRequest(PROMPT, sampling, seed, LENGTH, List.of(), 3);
                    sequences.add(decoder.start(request).orElseThrow());
                }
                while (sequences.stream().anyMatch(sequence -> !sequence.finished())) {
                    decoder.step(sequences);
                }
                for (Sequence sequence : sequences) {
                    observed[index(sequence.generated())]++;
                    decoder.release(sequence);
                }
            }
        }
        double pValue = ChiSquare.pValue(observed, expected);
        assertTrue(pValue > SIGNIFICANCE, "χ² p-value " + pValue + " for " + sampling + " on " + backend);
    }

    /** P(t1..t4 | prompt) under the target with this processing, for all 625 continuations. */
    private static double[] exactSequenceProbabilities(CausalLM target, SamplingParams sampling) {
        double[] probabilities = new double[(int) Math.pow(VOCAB, LENGTH)];
        try (KVCache cache = target.newCache(1, 16, Long.MAX_VALUE)) {
            int slot = cache.acquire().orElseThrow();
            for (int outcome = 0; outcome < probabilities.length; outcome++) {
                int[] continuation = continuation(outcome);
                double probability = 1;
                for (int position = 0; position < LENGTH && probability > 0; position++) {
                    int[] context = new int[PROMPT.length + position];
                    System.arraycopy(PROMPT, 0, context, 0, PROMPT.length);
                    System.arraycopy(continuation, 0, context, PROMPT.length, position);
                    cache.rollback(slot, 0);
                    float[] logits = target.score(cache, List.of(ScoreRequest.lastPosition(slot, 0, context))).getFirst()[0];
                    probability *= LogitsProcessor.probabilities(logits, sampling)[continuation[position]];
                }
                probabilities[outcome] = probability;
            }
        }
        return probabilities;
    }

    private static int[] continuation(int outcome) {
        int[] tokens = new int[LENGTH];
        for (int position = LENGTH - 1; position >= 0; position--) {
            tokens[position] = outcome % VOCAB;
            outcome /= VOCAB;
        }
        return tokens;
    }

    private static int index(int[] tokens) {
        int index = 0;
        for (int token : tokens) {
            index = index * VOCAB + token;
        }
        return index;
    }
}
