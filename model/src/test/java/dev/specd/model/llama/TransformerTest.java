package dev.specd.model.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.specd.model.KVCache;
import dev.specd.model.ModelConfig;
import dev.specd.model.ScoreRequest;
import dev.specd.model.safetensors.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TransformerTest {

    /** float32 against the double-precision reference: summation order only. */
    private static final double F32_TOLERANCE = 1e-4;
    /** bfloat16 weights keep 8 bits of mantissa (~0.4% per rounding); errors add up over 2 layers. */
    private static final double BF16_TOLERANCE = 0.08;
    /** float16 compute keeps 11 bits (~0.05% per rounding) in weights and activations. */
    private static final double F16_TOLERANCE = 0.02;
    /** The same float32 computation split differently (cache vs. one pass, batch vs. single). */
    private static final double SAME_MATH_TOLERANCE = 1e-5;
    private static final long NO_BOUND = Long.MAX_VALUE;

    @TempDir
    Path dir;

    static Stream<Arguments> configurations() {
        return Stream.of(
                Arguments.of("llama-gqa", TinyModels.llama()),
                Arguments.of("qwen2-bias-tied", TinyModels.qwen2()),
                Arguments.of("llama-bias-linear-rope", TinyModels.llamaWithBiasAndScaling()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configurations")
    void forwardMatchesIndependentDoublePrecisionReference(String name, ModelConfig config) throws IOException {
        SortedMap<String, float[]> weights = TinyModels.weights(config, 7);
        int[] prompt = randomTokens(config, 20, 1);
        double[][] expected = new ReferenceLlama(config, weights).logits(prompt);
        try (Transformer model = TinyModels.write(dir, config, weights, DType.F32, DataType.FLOAT32);
                KVCache cache = model.newCache(1, 32, NO_BOUND)) {
            int slot = cache.acquire().orElseThrow();
            float[][] actual = model.score(cache, List.of(ScoreRequest.allPositions(slot, 0, prompt))).getFirst();
            assertClose(expected, actual, F32_TOLERANCE);
            assertEquals(prompt.length, cache.length(slot));
        }
    }

    @Test
    void trainingForwardMatchesTheReferenceAndCarriesGradients() {
        ModelConfig config = TinyModels.qwen2();
        SortedMap<String, float[]> weights = TinyModels.weights(config, 21);
        int[] tokens = randomTokens(config, 14, 22);
        double[][] expected = new ReferenceLlama(config, weights).logits(tokens);
        NDManager manager = NDManager.newBaseManager("PyTorch");
        Map<String, NDArray> parameters = new HashMap<>();
        LlamaWeights.shapes(config).forEach((name, shape) -> {
            NDArray parameter = manager.create(weights.get(name), new Shape(shape));
            parameter.setRequiresGradient(true);
            parameters.put(name, parameter);
        });
        try (Transformer model = Transformer.fromWeights(config, manager, DataType.FLOAT32, parameters);
                GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray input = manager.create(Arrays.stream(tokens).asLongStream().toArray(), new Shape(1, tokens.length));
            NDArray logits = model.logits(input); // [1, T, V]
            assertArrayEquals(new long[] {1, tokens.length, config.vocabSize()}, logits.getShape().getShape());
            float[] flat = logits.toFloatArray();
            for (int t = 0; t < tokens.length; t++) {
                assertClose(expected[t], Arrays.copyOfRange(flat, t * config.vocabSize(), (t + 1) * config.vocabSize()),
                        F32_TOLERANCE);
            }
            collector.backward(logits.logSoftmax(-1).get(new NDIndex("0, -1, 3")).neg());
            float[] gradient = parameters.get(LlamaWeights.layer(0, "self_attn.k_proj.bias")).getGradient().toFloatArray();
            double norm = 0;
            for (float g : gradient) {
                assertTrue(Float.isFinite(g));
                norm += g * g;
            }
            assertTrue(norm > 0, "the first layer's key bias gets a gradient through attention");
        }
    }

    @Test
    void float16ComputeStaysCloseToReference() throws IOException {
        ModelConfig config = TinyModels.llama();
        SortedMap<String, float[]> weights = TinyModels.weights(config, 11);
        int[] prompt = randomTokens(config, 16, 2);
        double[][] expected = new ReferenceLlama(config, weights).logits(prompt);
        try (Transformer model = TinyModels.write(dir, config, weights, DType.F32, DataType.FLOAT16);
                KVCache cache = model.newCache(1, 32, NO_BOUND)) {
            int slot = cache.acquire().orElseThrow();
            float[][] actual = model.score(cache, List.of(ScoreRequest.allPositions(slot, 0, prompt))).getFirst();
            assertClose(expected, actual, F16_TOLERANCE);
        }
    }

    @Test
    void bfloat16ComputeIsRefusedClearlyInsteadOfAbortingTheEngine() throws IOException {
        ModelConfig config = TinyModels.llama();
        LlamaWeights.write(dir, config, TinyModels.weights(config, 1), DType.BF16);
        assertMessage("cannot hold bfloat16", () -> Transformer.load(dir, ai.djl.Device.cpu(), DataType.BFLOAT16));
    }

    @Test
    void bfloat16CheckpointLoadsIntoFloat32Compute() throws IOException {
        ModelConfig config = TinyModels.llama();
        SortedMap<String, float[]> weights = TinyModels.weights(config, 12);
        int[] prompt = randomTokens(config, 10, 3);
        double[][] expected = new ReferenceLlama(config, weights).logits(prompt);
        try (Transformer model = TinyModels.write(dir, config, weights, DType.BF16, DataType.FLOAT32);
                KVCache cache = model.newCache(1, 32, NO_BOUND)) {
            int slot = cache.acquire().orElseThrow();
            assertClose(expected, model.score(cache, List.of(ScoreRequest.allPositions(slot, 0, prompt))).getFirst(),
                    BF16_TOLERANCE);
        }
    }

    @Test
    void prefillThenDecodeEqualsOneFullForward() throws IOException {
        ModelConfig config = TinyModels.llama();
        int[] tokens = randomTokens(config, 12, 4);
        try (Transformer model = TinyModels.write(dir, config, TinyModels.weights(config, 3), DType.F32, DataType.FLOAT32);
                KVCache cache = model.newCache(2, 32, NO_BOUND)) {
            int full = cache.acquire().orElseThrow();
            float[][] oneShot = model.score(cache, List.of(ScoreRequest.allPositions(full, 0, tokens))).getFirst();

            int incremental = cache.acquire().orElseThrow();
            int prefill = 7;
            float[][] stepwise = new float[tokens.length][];
            stepwise[prefill - 1] = model.score(cache, List.of(
                    ScoreRequest.lastPosition(incremental, 0, Arrays.copyOf(tokens, prefill)))).getFirst()[0];
            for (int position = prefill; position < tokens.length; position++) {
                stepwise[position] = model.score(cache, List.of(
                        ScoreRequest.lastPosition(incremental, position, new int[] {tokens[position]}))).getFirst()[0];
            }
            for (int position = prefill - 1; position < tokens.length; position++) {
                assertClose(toDouble(oneShot[position]), stepwise[position], SAME_MATH_TOLERANCE);
            }
        }
    }

    @Test
    void decodeAfterRollbackEqualsDecodeThatNeverWentAhead() throws IOException {
        ModelConfig config = TinyModels.qwen2();
        int[] prompt = randomTokens(config, 9, 5);
        int[] rejected = randomTokens(config, 4, 6);
        int[] continuation = randomTokens(config, 3, 7);
        try (Transformer model = TinyModels.write(dir, config, TinyModels.weights(config, 5), DType.F32, DataType.FLOAT32);
                KVCache cache = model.newCache(2, 32, NO_BOUND)) {
            int speculative = cache.acquire().orElseThrow();
            model.score(cache, List.of(ScoreRequest.lastPosition(speculative, 0, prompt)));
            model.score(cache, List.of(ScoreRequest.allPositions(speculative, prompt.length, rejected)));
            assertEquals(prompt.length + rejected.length, cache.length(speculative));
            cache.rollback(speculative, prompt.length);
            float[][] afterRollback = model.score(cache,
                    List.of(ScoreRequest.allPositions(speculative, prompt.length, continuation))).getFirst();

            int straight = cache.acquire().orElseThrow();
            model.score(cache, List.of(ScoreRequest.lastPosition(straight, 0, prompt)));
            float[][] neverAhead = model.score(cache,
                    List.of(ScoreRequest.allPositions(straight, prompt.length, continuation))).getFirst();
            assertClose(toDouble(neverAhead), afterRollback, SAME_MATH_TOLERANCE);
        }
    }

    @Test
    void batchedScoringEqualsScoringEachSequenceAlone() throws IOException {
        ModelConfig config = TinyModels.llama();
        int[][] prefixes = {randomTokens(config, 5, 8), randomTokens(config, 11, 9), randomTokens(config, 2, 10)};
        int[][] newTokens = {randomTokens(config, 1, 11), randomTokens(config, 4, 12), randomTokens(config, 6, 13)};
        try (Transformer model = TinyModels.write(dir, config, TinyModels.weights(config, 9), DType.F32, DataType.FLOAT32);
                KVCache batchCache = model.newCache(3, 32, NO_BOUND);
                KVCache aloneCache = model.newCache(1, 32, NO_BOUND)) {
            List<ScoreRequest> batch = new ArrayList<>();
            for (int i = 0; i < prefixes.length; i++) {
                int slot = batchCache.acquire().orElseThrow();
                model.score(batchCache, List.of(ScoreRequest.lastPosition(slot, 0, prefixes[i])));
                batch.add(ScoreRequest.allPositions(slot, prefixes[i].length, newTokens[i]));
            }
            List<float[][]> batched = model.score(batchCache, batch);
            for (int i = 0; i < prefixes.length; i++) {
                int slot = aloneCache.acquire().orElseThrow();
                model.score(aloneCache, List.of(ScoreRequest.lastPosition(slot, 0, prefixes[i])));
                float[][] alone = model.score(aloneCache,
                        List.of(ScoreRequest.allPositions(slot, prefixes[i].length, newTokens[i]))).getFirst();
                assertClose(toDouble(alone), batched.get(i), SAME_MATH_TOLERANCE);
                assertEquals(prefixes[i].length + newTokens[i].length, batchCache.length(batch.get(i).slot()));
                aloneCache.release(slot);
            }
        }
    }

    @Test
    void badRequestsAreRefusedWithoutTouchingTheCache() throws IOException {
        ModelConfig config = TinyModels.llama();
        try (Transformer model = TinyModels.write(dir, config, TinyModels.weights(config, 1), DType.F32, DataType.FLOAT32);
                KVCache cache = model.newCache(2, 16, NO_BOUND)) {
            int slot = cache.acquire().orElseThrow();
            model.score(cache, List.of(ScoreRequest.lastPosition(slot, 0, new int[] {3, 4})));
            assertMessage("outside the vocabulary", () ->
                    model.score(cache, List.of(ScoreRequest.lastPosition(slot, 2, new int[] {config.vocabSize()}))));
            assertMessage("leave a gap", () ->
                    model.score(cache, List.of(ScoreRequest.lastPosition(slot, 3, new int[] {5}))));
            assertMessage("past the cache length", () ->
                    model.score(cache, List.of(ScoreRequest.allPositions(slot, 2, new int[15]))));
            assertMessage("appears twice", () -> model.score(cache, List.of(
                    ScoreRequest.lastPosition(slot, 2, new int[] {5}), ScoreRequest.lastPosition(slot, 2, new int[] {6}))));
            assertMessage("not in use", () -> model.score(cache, List.of(ScoreRequest.lastPosition(1, 0, new int[] {5}))));
            assertEquals(2, cache.length(slot));
            assertMessage("over the bound", () -> model.newCache(64, 64, 1 << 16));
            assertMessage("exceeds the model's context length", () -> model.newCache(1, 65, NO_BOUND));
        }
    }

    @Test
    void checkpointWithAMisShapedTensorIsRefusedNamingTheTensorAndBothShapes() throws IOException {
        ModelConfig config = TinyModels.llama();
        LlamaWeights.write(dir, config, TinyModels.weights(config, 1), DType.F32);
        ModelConfig wider = ModelConfig.llama(61, 32, 64, 2, 4, 2, 64, false, 0, 1);
        wider.write(dir);
        IOException error = assertThrows(IOException.class,
                () -> Transformer.load(dir, ai.djl.Device.cpu(), DataType.FLOAT32));
        assertTrue(error.getMessage().contains("model.layers.0.mlp.up_proj.weight"), error.getMessage());
        assertTrue(error.getMessage().contains("[64, 32]") && error.getMessage().contains("[48, 32]"), error.getMessage());
    }

    @Test
    void checkpointWithAMissingTensorIsRefusedNamingIt() throws IOException {
        ModelConfig tied = ModelConfig.llama(61, 32, 48, 2, 4, 2, 64, true, 0, 1);
        LlamaWeights.write(dir, tied, TinyModels.weights(tied, 1), DType.F32);
        TinyModels.llama().write(dir); // untied: needs lm_head.weight, which the file lacks
        IOException error = assertThrows(IOException.class,
                () -> Transformer.load(dir, ai.djl.Device.cpu(), DataType.FLOAT32));
        assertTrue(error.getMessage().contains(LlamaWeights.LM_HEAD), error.getMessage());
    }

    @Test
    void truncatedCheckpointIsRefused() throws IOException {
        ModelConfig config = TinyModels.llama();
        LlamaWeights.write(dir, config, TinyModels.weights(config, 1), DType.F32);
        Path weights = dir.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(weights);
        Files.write(weights, Arrays.copyOf(bytes, bytes.length / 2));
        IOException error = assertThrows(IOException.class,
                () -> Transformer.load(dir, ai.djl.Device.cpu(), DataType.FLOAT32));
        assertTrue(error.getMessage().contains("model.safetensors"), error.getMessage());
    }

    /**
     * A long decode loop must not grow native memory: every intermediate is closed per forward and
     * the cache is written in place. Checked exactly by counting live NDArrays, and as resident
     * memory minus the Java heap once the JIT and the allocator have warmed up (about 80 MiB over
     * the first ~4,500 steps here, flat after).
     */
    @Test
    void longDecodeLoopKeepsNativeMemoryFlat() throws IOException {
        ModelConfig config = TinyModels.llama();
        try (Transformer model = TinyModels.write(dir, config, TinyModels.weights(config, 2), DType.F32, DataType.FLOAT32);
                KVCache cache = model.newCache(1, 64, NO_BOUND)) {
            int slot = cache.acquire().orElseThrow();
            SplittableRandom random = new SplittableRandom(3);
            int warmup = 5000;
            int measured = 3000;
            int arraysAfterFirstStep = -1;
            long baseline = 0;
            for (int step = 0; step < warmup + measured; step++) {
                if (cache.length(slot) == 60) {
                    cache.rollback(slot, 4); // keep decoding forever inside a 64-position cache
                }
                model.score(cache, List.of(ScoreRequest.lastPosition(slot, cache.length(slot),
                        new int[] {random.nextInt(config.vocabSize())})));
                if (step == 0) {
                    arraysAfterFirstStep = model.liveArrays();
                } else if (step == warmup) {
                    baseline = nativeBytes();
                }
            }
            assertEquals(arraysAfterFirstStep, model.liveArrays(), "NDArrays leaked across forwards");
            long growth = nativeBytes() - baseline;
            // Leaking the ~100 intermediates of a step would add tens of MiB over 3,000 steps.
            assertTrue(growth < 16L << 20, "native memory grew by " + (growth >> 10) + " KiB over " + measured + " steps");
        }
    }

    private static long nativeBytes() {
        System.gc();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    long rss = Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                    return rss - Runtime.getRuntime().totalMemory();
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    static int[] randomTokens(ModelConfig config, int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] tokens = new int[count];
        for (int i = 0; i < count; i++) {
            tokens[i] = random.nextInt(config.vocabSize());
        }
        return tokens;
    }

    private static double[][] toDouble(float[][] values) {
        double[][] out = new double[values.length][];
        for (int i = 0; i < values.length; i++) {
            out[i] = toDouble(values[i]);
        }
        return out;
    }

    private static double[] toDouble(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    private static void assertClose(double[][] expected, float[][] actual, double tolerance) {
        assertEquals(expected.length, actual.length, "rows");
        for (int row = 0; row < expected.length; row++) {
            assertClose(expected[row], actual[row], tolerance);
        }
    }

    /** |expected − actual| ≤ tolerance · (1 + max|expected|), element by element. */
    private static void assertClose(double[] expected, float[] actual, double tolerance) {
        assertEquals(expected.length, actual.length, "vocabulary");
        double scale = 1;
        for (double value : expected) {
            scale = Math.max(scale, 1 + Math.abs(value));
        }
        for (int i = 0; i < expected.length; i++) {
            double error = Math.abs(expected[i] - actual[i]);
            assertTrue(error <= tolerance * scale,
                    "logit " + i + ": expected " + expected[i] + ", got " + actual[i] + " (error " + error + ")");
        }
    }

    private static void assertMessage(String fragment, org.junit.jupiter.api.function.Executable action) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, action);
        assertTrue(error.getMessage().contains(fragment), error.getMessage());
    }
}
