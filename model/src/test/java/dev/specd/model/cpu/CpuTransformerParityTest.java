package dev.specd.model.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.specd.model.CausalLM;
import dev.specd.model.KVCache;
import dev.specd.model.ModelConfig;
import dev.specd.model.ScoreRequest;
import dev.specd.model.llama.LlamaWeights;
import dev.specd.model.llama.Transformer;
import dev.specd.model.safetensors.DType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CPU backend gives the DJL model's logits, on the shipped default pair and on random
 * checkpoints of every supported shape (grouped-query and multi-head attention, tied and untied
 * heads, Qwen2 q/k/v biases, Llama o_proj bias and linear RoPE scaling, sizes that are no multiple
 * of a vector, bfloat16, float16 and float32 storage), through one script of cache operations:
 * prefill, decode, multi-position verification, batches whose sequences start at different
 * positions and score different numbers of tokens, and scoring after rollback.
 *
 * <p>Tolerance: max |Δ logit| ≤ 1e-4 · max(1, max |logit|). Both backends compute in float32 from
 * the same weights (bfloat16 and float16 widen exactly), so they differ only in summation order.
 */
class CpuTransformerParityTest {

    private static final double RELATIVE_TOLERANCE = 1e-4;
    private static final Path DEFAULT_MODELS = Path.of("..", "models", "default");
    private static final long NO_BOUND = Long.MAX_VALUE;
    private static final int CACHE_LENGTH = 160;
    /**
     * A prompt that reaches into a third tile of keys with AVX-512's 64-position tiles (a fifth with
     * AVX2's 32): attention over several tiles and a partial one.
     */
    private static final int LONG_PROMPT = 130;
    /** The random checkpoints' context: long enough for {@link #LONG_PROMPT} and a verification after it. */
    private static final int RANDOM_CONTEXT = 192;
    private static final double STD = 0.3;

    @TempDir
    Path dir;

    static Stream<Arguments> checkpoints() {
        return Stream.of(
                Arguments.of("default target (bf16)", DEFAULT_MODELS.resolve("target"), null, null),
                Arguments.of("default draft (bf16, head dim 28)", DEFAULT_MODELS.resolve("draft"), null, null),
                Arguments.of("llama gqa untied (f32)", null, ModelConfig.llama(61, 32, 48, 2, 4, 2, RANDOM_CONTEXT, false, 0, 1),
                        DType.F32),
                Arguments.of("qwen2 biases tied, one kv head (f32)", null, new ModelConfig(ModelConfig.QWEN2, 61, 32,
                        48, 2, 4, 1, 8, 1e6, 1.0, 1e-6, true, true, false, RANDOM_CONTEXT, RANDOM_CONTEXT, 0, List.of(1),
                        "float32"), DType.F32),
                Arguments.of("llama o_proj bias, linear rope (f32)", null, new ModelConfig(ModelConfig.LLAMA, 61, 32,
                        48, 2, 4, 4, 8, 10000.0, 2.0, 1e-5, false, true, true, RANDOM_CONTEXT, RANDOM_CONTEXT, 0, List.of(1),
                        "float32"),
                        DType.F32),
                Arguments.of("odd sizes (bf16)", null, oddSizes(), DType.BF16),
                Arguments.of("odd sizes (f16)", null, oddSizes(), DType.F16));
    }

    /** Hidden 40, ffn 72, head dim 10, 5 heads over 1 KV head, vocabulary 67: tails everywhere. */
    private static ModelConfig oddSizes() {
        return new ModelConfig(ModelConfig.LLAMA, 67, 40, 72, 3, 5, 1, 10, 10000.0, 1.0, 1e-5, false, false, false,
                RANDOM_CONTEXT, RANDOM_CONTEXT, 0, List.of(1), "float32");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("checkpoints")
    void cpuBackendGivesTheDjlModelsLogits(String name, Path shipped, ModelConfig config, DType storage)
            throws IOException {
        Path checkpoint = shipped;
        if (checkpoint == null) {
            checkpoint = dir.resolve("model");
            LlamaWeights.write(checkpoint, config, LlamaWeights.initialise(config, 5, STD), storage);
        }
        try (Transformer djl = Transformer.load(checkpoint, Device.cpu(), DataType.FLOAT32);
                CpuTransformer cpu = CpuTransformer.load(checkpoint)) {
            assertEquals(djl.config(), cpu.config());
            List<float[][]> expected = runScript(djl);
            List<float[][]> actual = runScript(cpu);
            assertEquals(expected.size(), actual.size());
            double scale = 1;
            double worst = 0;
            for (int i = 0; i < expected.size(); i++) {
                assertEquals(expected.get(i).length, actual.get(i).length, "rows of result " + i);
                for (int row = 0; row < expected.get(i).length; row++) {
                    float[] want = expected.get(i)[row];
                    float[] got = actual.get(i)[row];
                    assertEquals(want.length, got.length);
                    for (int v = 0; v < want.length; v++) {
                        scale = Math.max(scale, Math.abs(want[v]));
                        worst = Math.max(worst, Math.abs(want[v] - got[v]));
                    }
                }
            }
            assertTrue(worst <= RELATIVE_TOLERANCE * scale,
                    name + ": max |Δ logit| " + worst + " over a logit scale of " + scale);
        }
    }

    /**
     * The same operations on any backend; every score's logits, in order. Three sequences: prefill
     * (last position, all positions), decode, a batch mixing decode and verification at different
     * start positions, rollback of rejected tokens and verification after it, a few more decodes;
     * where the context allows, a long prompt and a verification after it.
     */
    private static List<float[][]> runScript(CausalLM model) {
        SplittableRandom random = new SplittableRandom(11);
        int vocab = model.config().vocabSize();
        List<float[][]> results = new ArrayList<>();
        try (KVCache cache = model.newCache(3, Math.min(CACHE_LENGTH, model.config().contextLength()), NO_BOUND)) {
            int a = cache.acquire().orElseThrow();
            int b = cache.acquire().orElseThrow();
            int c = cache.acquire().orElseThrow();
            results.addAll(model.score(cache, List.of(ScoreRequest.lastPosition(a, 0, tokens(random, vocab, 9)))));
            results.addAll(model.score(cache, List.of(ScoreRequest.allPositions(b, 0, tokens(random, vocab, 4)))));
            results.addAll(model.score(cache, List.of(ScoreRequest.lastPosition(c, 0, tokens(random, vocab, 13)))));
            results.addAll(model.score(cache, List.of(ScoreRequest.lastPosition(a, 9, tokens(random, vocab, 1)))));
            results.addAll(model.score(cache, List.of(
                    ScoreRequest.lastPosition(a, 10, tokens(random, vocab, 1)),
                    ScoreRequest.allPositions(b, 4, tokens(random, vocab, 5)),
                    new ScoreRequest(c, 13, tokens(random, vocab, 3), 2))));
            cache.rollback(b, 6);
            cache.rollback(c, 14);
            results.addAll(model.score(cache, List.of(
                    ScoreRequest.allPositions(c, 14, tokens(random, vocab, 5)),
                    ScoreRequest.allPositions(b, 6, tokens(random, vocab, 4)))));
            for (int position = 11; position < 16; position++) {
                results.addAll(model.score(cache, List.of(ScoreRequest.lastPosition(a, position, tokens(random, vocab, 1)))));
            }
            results.addAll(model.score(cache, List.of(ScoreRequest.allPositions(a, 16, tokens(random, vocab, 5)))));
            if (cache.maxLength() > LONG_PROMPT + 5) {
                cache.rollback(b, 0);
                results.addAll(model.score(cache, List.of(ScoreRequest.allPositions(b, 0,
                        tokens(random, vocab, LONG_PROMPT)))));
                results.addAll(model.score(cache, List.of(
                        ScoreRequest.allPositions(b, LONG_PROMPT, tokens(random, vocab, 5)),
                        ScoreRequest.lastPosition(a, 21, tokens(random, vocab, 1)))));
            }
        }
        return results;
    }

    private static int[] tokens(SplittableRandom random, int vocab, int count) {
        int[] tokens = new int[count];
        for (int i = 0; i < count; i++) {
            tokens[i] = random.nextInt(vocab);
        }
        return tokens;
    }
}
