package dev.specd.model.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.specd.model.ModelConfig;
import dev.specd.model.llama.LlamaWeights;
import dev.specd.model.safetensors.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exports small random Llama checkpoints and reads them back with the test's own GGUF reader. */
class LlamaGgufExportTest {

    /** Grouped-query attention, untied head, head_dim 8, vocabulary 3 ids larger than the tokenizer. */
    private static final ModelConfig CONFIG = new ModelConfig(ModelConfig.LLAMA, TestTokenizers.SIZE + 3, 32, 48, 2,
            4, 2, 8, 500000.0, 1.0, 1e-5, false, false, false, 128, 128, 0, List.of(0), "float32");

    @TempDir
    Path dir;

    @Test
    void writesEveryKeyWithTheTypeLlamaCppReads() throws IOException {
        writeModel(CONFIG, DType.F32);
        GgufReader gguf = export(new GgufExportOptions(GgufTensorType.F32, "tiny", null));

        assertEquals(3, gguf.version);
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("general.architecture", "llama");
        expected.put("general.name", "tiny");
        expected.put("general.file_type", 0L);
        expected.put("general.alignment", 32L);
        expected.put("llama.vocab_size", (long) CONFIG.vocabSize());
        expected.put("llama.context_length", 128L);
        expected.put("llama.embedding_length", 32L);
        expected.put("llama.block_count", 2L);
        expected.put("llama.feed_forward_length", 48L);
        expected.put("llama.attention.head_count", 4L);
        expected.put("llama.attention.head_count_kv", 2L);
        expected.put("llama.attention.key_length", 8L);
        expected.put("llama.attention.value_length", 8L);
        expected.put("llama.rope.dimension_count", 8L);
        expected.put("llama.rope.freq_base", 500000f);
        expected.put("llama.attention.layer_norm_rms_epsilon", 1e-5f);
        expected.put("tokenizer.ggml.model", "gpt2");
        expected.put("tokenizer.ggml.pre", "smaug-bpe");
        expected.put("tokenizer.ggml.bos_token_id", 0L);
        expected.put("tokenizer.ggml.eos_token_id", 0L);
        expected.put("tokenizer.ggml.padding_token_id", 1L);
        expected.put("tokenizer.ggml.add_bos_token", true);
        expected.put("tokenizer.ggml.add_eos_token", false);
        Map<String, GgufValueType> arrays = Map.of("tokenizer.ggml.tokens", GgufValueType.STRING,
                "tokenizer.ggml.token_type", GgufValueType.INT32, "tokenizer.ggml.merges", GgufValueType.STRING);

        List<String> keys = new ArrayList<>(expected.keySet());
        keys.addAll(arrays.keySet());
        assertEquals(keys.stream().sorted().toList(), gguf.metadata.keySet().stream().sorted().toList());
        expected.forEach((key, value) -> {
            GgufValueType type = switch (value) {
                case String s -> GgufValueType.STRING;
                case Long l -> GgufValueType.UINT32;
                case Float f -> GgufValueType.FLOAT32;
                case Boolean b -> GgufValueType.BOOL;
                default -> throw new AssertionError(value);
            };
            assertEquals(type, gguf.metadata.get(key).type(), key);
            assertEquals(value, gguf.value(key), key);
        });
        arrays.forEach((key, elementType) -> {
            assertEquals(GgufValueType.ARRAY, gguf.metadata.get(key).type(), key);
            assertEquals(elementType, gguf.metadata.get(key).elementType(), key);
        });
    }

    @Test
    void tokenizerKeysListTokensInIdOrderWithTypesAndMerges() throws IOException {
        writeModel(CONFIG, DType.F32);
        GgufReader gguf = export(GgufExportOptions.DEFAULT);

        List<Object> tokens = new ArrayList<>(TestTokenizers.tokens());
        List<Object> types = new ArrayList<>(List.of(GgufTokenizer.CONTROL, GgufTokenizer.CONTROL));
        for (int id = TestTokenizers.SPECIALS; id < TestTokenizers.SIZE; id++) {
            types.add(GgufTokenizer.NORMAL);
        }
        for (int id = TestTokenizers.SIZE; id < CONFIG.vocabSize(); id++) {
            tokens.add("[PAD" + id + "]");
            types.add(GgufTokenizer.UNUSED);
        }
        assertEquals(tokens, gguf.value("tokenizer.ggml.tokens"));
        assertEquals(types, gguf.value("tokenizer.ggml.token_type"));
        assertEquals(List.of((Object[]) TestTokenizers.MERGES), gguf.value("tokenizer.ggml.merges"));
        assertEquals("Ġ", ((List<?>) gguf.value("tokenizer.ggml.tokens")).get(TestTokenizers.SPECIALS + ' '));
    }

    @Test
    void tensorsMatchTheCheckpointAfterUndoingTheRopePermutation() throws IOException {
        SortedMap<String, float[]> weights = writeModel(CONFIG, DType.F32);
        GgufReader gguf = export(new GgufExportOptions(GgufTensorType.F32, null, null));

        Map<String, String> names = ggufNames(CONFIG);
        assertEquals(names.keySet(), gguf.tensors.keySet());
        Map<String, long[]> shapes = LlamaWeights.shapes(CONFIG);
        names.forEach((ggufName, hfName) -> {
            GgufReader.TensorEntry tensor = gguf.tensors.get(ggufName);
            long[] shape = shapes.get(hfName);
            assertArrayEquals(shape.length == 1 ? shape : new long[] {shape[1], shape[0]}, tensor.dims(), ggufName);
            assertEquals(GgufTensorType.F32, tensor.type(), ggufName);
            assertArrayEquals(weights.get(hfName), undoPermutation(ggufName, gguf.values(ggufName)), ggufName);
        });
        assertFalse(Arrays.equals(weights.get(LlamaWeights.layer(0, "self_attn.q_proj.weight")),
                gguf.values("blk.0.attn_q.weight")), "q rows are permuted");
    }

    @Test
    void f16MatricesStayWithinHalfPrecisionOfTheSourceAndNormsStayF32() throws IOException {
        SortedMap<String, float[]> weights = writeModel(CONFIG, DType.F32);
        GgufReader gguf = export(GgufExportOptions.DEFAULT);

        assertEquals(1L, gguf.value("general.file_type"));
        ggufNames(CONFIG).forEach((ggufName, hfName) -> {
            boolean norm = ggufName.endsWith("norm.weight");
            assertEquals(norm ? GgufTensorType.F32 : GgufTensorType.F16, gguf.tensors.get(ggufName).type(), ggufName);
            float[] source = weights.get(hfName);
            float[] exported = undoPermutation(ggufName, gguf.values(ggufName));
            for (int i = 0; i < source.length; i++) {
                // Round to nearest: half an F16 ulp (2^-11 relative), or the subnormal step 2^-24.
                double tolerance = norm ? 0 : Math.max(Math.abs(source[i]) * 0x1p-11, 0x1p-25);
                assertTrue(Math.abs(source[i] - exported[i]) <= tolerance,
                        ggufName + "[" + i + "]: " + source[i] + " became " + exported[i]);
            }
        });
    }

    @Test
    void bf16CheckpointsAreWidenedExactly() throws IOException {
        SortedMap<String, float[]> weights = writeModel(CONFIG, DType.BF16);
        GgufReader gguf = export(new GgufExportOptions(GgufTensorType.F32, null, null));

        float[] source = weights.get(LlamaWeights.layer(1, "mlp.down_proj.weight"));
        float[] exported = gguf.values("blk.1.ffn_down.weight");
        for (int i = 0; i < source.length; i++) {
            assertEquals(0, Float.floatToRawIntBits(exported[i]) & 0xFFFF, "a bfloat16 has no low mantissa bits");
            assertTrue(Math.abs(source[i] - exported[i]) <= Math.abs(source[i]) * 0x1p-8);
        }
    }

    @Test
    void tiedEmbeddingsWriteNoOutputTensor() throws IOException {
        ModelConfig tied = new ModelConfig(ModelConfig.LLAMA, TestTokenizers.SIZE, 32, 48, 1, 4, 4, 8, 10000.0, 1.0,
                1e-6, true, false, false, 64, 64, 0, List.of(0), "float32");
        writeModel(tied, DType.F32);
        GgufReader gguf = export(GgufExportOptions.DEFAULT);

        assertTrue(gguf.tensors.containsKey("token_embd.weight"));
        assertFalse(gguf.tensors.containsKey("output.weight"));
        assertEquals(ggufNames(tied).keySet(), gguf.tensors.keySet());
    }

    @Test
    void linearRopeScalingIsRecorded() throws IOException {
        ModelConfig scaled = new ModelConfig(ModelConfig.LLAMA, TestTokenizers.SIZE, 32, 48, 1, 4, 4, 8, 10000.0, 4.0,
                1e-6, true, false, false, 64, 64, 0, List.of(0), "float32");
        writeModel(scaled, DType.F32);
        GgufReader gguf = export(GgufExportOptions.DEFAULT);

        assertEquals("linear", gguf.value("llama.rope.scaling.type"));
        assertEquals(4f, gguf.value("llama.rope.scaling.factor"));
    }

    @Test
    void preTokenizerIsChosenByRegexAndIgnoreMerges() throws IOException {
        writeModel(CONFIG, DType.F32);
        Path model = dir.resolve("model");
        var llamaCppSpelling = TestTokenizers.splitThenByteLevel(LlamaCppPreTokenizer.LLAMA3_REGEX.replace(
                "(?i:'s|'t|'re|'ve|'m|'ll|'d)", "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])"));
        TestTokenizers.write(llamaCppSpelling, model);
        assertEquals("smaug-bpe", export(GgufExportOptions.DEFAULT).value("tokenizer.ggml.pre"));

        var ignoringMerges = TestTokenizers.splitThenByteLevel(LlamaCppPreTokenizer.LLAMA3_REGEX);
        ((ObjectNode) ignoringMerges.get("model")).put("ignore_merges", true);
        TestTokenizers.write(ignoringMerges, model);
        assertEquals("llama-bpe", export(GgufExportOptions.DEFAULT).value("tokenizer.ggml.pre"));

        TestTokenizers.write(TestTokenizers.splitThenByteLevel(LlamaCppPreTokenizer.QWEN2_REGEX), model);
        assertEquals("qwen2", export(GgufExportOptions.DEFAULT).value("tokenizer.ggml.pre"));
    }

    @Test
    void gpt2ByteLevelTokenizerMapsToGpt2WithoutBos() throws IOException {
        writeModel(CONFIG, DType.F32);
        TestTokenizers.write(TestTokenizers.gpt2(), dir.resolve("model"));
        GgufReader gguf = export(GgufExportOptions.DEFAULT);

        assertEquals("gpt-2", gguf.value("tokenizer.ggml.pre"));
        assertEquals(false, gguf.value("tokenizer.ggml.add_bos_token"));
        assertEquals(0L, gguf.value("tokenizer.ggml.bos_token_id"));
    }

    @Test
    void specdRegexIsRefusedNamingItUnlessForced() throws IOException {
        writeModel(CONFIG, DType.F32);
        TestTokenizers.write(TestTokenizers.splitThenByteLevel(TestTokenizers.SPECD_REGEX), dir.resolve("model"));

        String message = refusal(GgufExportOptions.DEFAULT);
        assertTrue(message.contains(TestTokenizers.SPECD_REGEX), message);
        assertTrue(message.contains("smaug-bpe") && message.contains("--force-pre-tokenizer"), message);

        GgufExportSummary summary = LlamaGgufExport.export(dir.resolve("model"), dir.resolve("out.gguf"),
                new GgufExportOptions(GgufTensorType.F16, null, "smaug-bpe"));
        assertTrue(summary.preTokenizerForced());
        assertEquals("smaug-bpe", new GgufReader(dir.resolve("out.gguf")).value("tokenizer.ggml.pre"));

        Files.delete(dir.resolve("out.gguf"));
        assertTrue(refusal(new GgufExportOptions(GgufTensorType.F16, null, "llama5")).contains("llama5"));
    }

    @Test
    void architecturesLlamaCppsLlamaGraphCannotRunAreRefused() throws IOException {
        ModelConfig qwen2 = new ModelConfig(ModelConfig.QWEN2, TestTokenizers.SIZE, 32, 48, 1, 4, 1, 8, 1e6, 1.0,
                1e-6, true, true, false, 64, 64, 0, List.of(0), "float32");
        writeModel(qwen2, DType.F32);
        assertTrue(refusal(GgufExportOptions.DEFAULT).contains("Qwen2"));

        ModelConfig biased = new ModelConfig(ModelConfig.LLAMA, TestTokenizers.SIZE, 32, 48, 1, 4, 4, 8, 10000.0, 1.0,
                1e-5, false, true, true, 64, 64, 0, List.of(0), "float32");
        writeModel(biased, DType.F32);
        assertTrue(refusal(GgufExportOptions.DEFAULT).contains("attention_bias"));
    }

    @Test
    void tokenizersLlamaCppWouldRunDifferentlyAreRefused() throws IOException {
        writeModel(CONFIG, DType.F32);
        Map<String, Consumer<ObjectNode>> changes =
                new LinkedHashMap<>();
        changes.put("normalizer", t -> t.putObject("normalizer").put("type", "NFC"));
        changes.put("byte_fallback", t -> ((ObjectNode) t.get("model"))
                .put("byte_fallback", true));
        changes.put("prefix space", t -> ((ObjectNode) t.get("pre_tokenizer")
                .get("pretokenizers").get(1)).put("add_prefix_space", true));
        changes.put("lstrip", t -> ((ObjectNode) t.get("added_tokens").get(1))
                .put("lstrip", true));
        changes.put("WordPiece", t -> ((ObjectNode) t.get("model"))
                .put("type", "WordPiece"));
        changes.put("vocab_size", t -> ((ObjectNode) t.get("model").get("vocab"))
                .put("extra", CONFIG.vocabSize()));
        for (var change : changes.entrySet()) {
            var tokenizer = TestTokenizers.splitThenByteLevel(LlamaCppPreTokenizer.LLAMA3_REGEX);
            change.getValue().accept(tokenizer);
            TestTokenizers.write(tokenizer, dir.resolve("model"));
            String message = refusal(GgufExportOptions.DEFAULT);
            assertTrue(message.contains(change.getKey()), change.getKey() + ": " + message);
        }

        Files.delete(dir.resolve("model/tokenizer.json"));
        assertTrue(refusal(GgufExportOptions.DEFAULT).contains("no tokenizer.json"));
    }

    @Test
    void severalEosTokensAreRefused() throws IOException {
        writeModel(new ModelConfig(ModelConfig.LLAMA, TestTokenizers.SIZE, 32, 48, 1, 4, 4, 8, 10000.0, 1.0, 1e-5,
                true, false, false, 64, 64, 0, List.of(0, 1), "float32"), DType.F32);
        assertTrue(refusal(GgufExportOptions.DEFAULT).contains("eos_token_id"));
    }

    @Test
    void valuesBeyondF16AreRefusedAndNothingIsLeftBehind() throws IOException {
        SortedMap<String, float[]> weights = LlamaWeights.initialise(CONFIG, 7, 0.3);
        weights.get(LlamaWeights.layer(1, "mlp.up_proj.weight"))[5] = 1e6f;
        LlamaWeights.write(dir.resolve("model"), CONFIG, weights, DType.F32);
        writeTokenizer();

        String message = refusal(GgufExportOptions.DEFAULT);
        assertTrue(message.contains("blk.1.ffn_up.weight") && message.contains("F32"), message);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(dir.resolve("model")), files.toList());
        }
    }

    @Test
    void ropePermutationInterleavesEachHeadsHalves() {
        // Two heads of head_dim 4, one column: rows (h0: 0 1 2 3) (h1: 4 5 6 7).
        float[] rows = {0, 1, 2, 3, 4, 5, 6, 7};
        assertArrayEquals(new float[] {0, 2, 1, 3, 4, 6, 5, 7}, RopePermutation.toInterleaved(rows, 2, 4, 1));
    }

    @Test
    void writerAlignsTensorsAndOwnsTheAlignmentKey() throws IOException {
        Path file = dir.resolve("odd.gguf");
        GgufWriter.write(file, Map.of("general.architecture", new GgufValue.Text("llama")), List.of(
                new GgufTensor("a", GgufTensorType.F16, new long[] {3}, () -> new float[] {1, 2, 3}),
                new GgufTensor("b", GgufTensorType.F32, new long[] {1, 5}, () -> new float[] {1, 2, 3, 4, 5})));
        GgufReader gguf = new GgufReader(file);
        assertEquals(0L, gguf.tensors.get("a").offset());
        assertEquals(32L, gguf.tensors.get("b").offset());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5}, gguf.values("b"));
        assertEquals(0, gguf.dataStart % 32);

        assertThrows(IllegalArgumentException.class, () -> GgufWriter.write(file,
                Map.of(GgufWriter.ALIGNMENT_KEY, new GgufValue.UInt32(64)), List.of()));
    }

    @Test
    void writtenFileGetsTheUsualPermissionsNotATemporaryFilesOwnerOnlyOnes() throws IOException {
        Path plain = Files.createFile(dir.resolve("plain"));
        Path file = dir.resolve("p.gguf");
        GgufWriter.write(file, Map.of(), List.of());
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(file));
    }

    private SortedMap<String, float[]> writeModel(ModelConfig config, DType storage) throws IOException {
        SortedMap<String, float[]> weights = LlamaWeights.initialise(config, 42, 0.3);
        // Norms initialise to 1: make them distinct so a swapped norm shows.
        SplittableRandom random = new SplittableRandom(3);
        weights.forEach((name, values) -> {
            if (name.endsWith("norm.weight")) {
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) (1 + random.nextGaussian() * 0.1);
                }
            }
        });
        LlamaWeights.write(dir.resolve("model"), config, weights, storage);
        writeTokenizer();
        return weights;
    }

    private void writeTokenizer() throws IOException {
        TestTokenizers.write(TestTokenizers.splitThenByteLevel(LlamaCppPreTokenizer.LLAMA3_REGEX), dir.resolve("model"));
        TestTokenizers.writeConfig(dir.resolve("model"));
    }

    private GgufReader export(GgufExportOptions options) throws IOException {
        Path out = dir.resolve("out.gguf");
        GgufExportSummary summary = LlamaGgufExport.export(dir.resolve("model"), out, options);
        assertEquals(Files.size(out), summary.bytes());
        return new GgufReader(out);
    }

    private String refusal(GgufExportOptions options) {
        Path out = dir.resolve("refused.gguf");
        String message = assertThrows(UnexportableModelException.class,
                () -> LlamaGgufExport.export(dir.resolve("model"), out, options)).getMessage();
        assertFalse(Files.exists(out));
        return message;
    }

    /** llama.cpp's tensor names to Hugging Face's, as llama.cpp's converter maps them. */
    private static Map<String, String> ggufNames(ModelConfig config) {
        Map<String, String> names = new HashMap<>();
        names.put("token_embd.weight", LlamaWeights.EMBED);
        names.put("output_norm.weight", LlamaWeights.FINAL_NORM);
        if (!config.tieWordEmbeddings()) {
            names.put("output.weight", LlamaWeights.LM_HEAD);
        }
        Map<String, String> perLayer = Map.of("attn_norm", "input_layernorm", "attn_q", "self_attn.q_proj",
                "attn_k", "self_attn.k_proj", "attn_v", "self_attn.v_proj", "attn_output", "self_attn.o_proj",
                "ffn_norm", "post_attention_layernorm", "ffn_gate", "mlp.gate_proj", "ffn_up", "mlp.up_proj",
                "ffn_down", "mlp.down_proj");
        for (int layer = 0; layer < config.numLayers(); layer++) {
            for (var entry : perLayer.entrySet()) {
                names.put("blk." + layer + "." + entry.getKey() + ".weight",
                        LlamaWeights.layer(layer, entry.getValue() + ".weight"));
            }
        }
        return names;
    }

    /** The inverse of llama.cpp's permute: row 2i+j of each head goes back to j·headDim/2 + i. */
    private static float[] undoPermutation(String ggufName, float[] values) {
        int heads;
        if (ggufName.endsWith("attn_q.weight")) {
            heads = CONFIG.numAttentionHeads();
        } else if (ggufName.endsWith("attn_k.weight")) {
            heads = CONFIG.numKeyValueHeads();
        } else {
            return values;
        }
        int headDim = CONFIG.headDim();
        int columns = values.length / (heads * headDim);
        float[] original = new float[values.length];
        for (int head = 0; head < heads; head++) {
            for (int i = 0; i < headDim / 2; i++) {
                for (int j = 0; j < 2; j++) {
                    int from = head * headDim + 2 * i + j;
                    int to = head * headDim + j * headDim / 2 + i;
                    System.arraycopy(values, from * columns, original, to * columns, columns);
                }
            }
        }
        return original;
    }
}
