package dev.specd.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelConfigTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** TinyLlama-1.1B's config.json, as published. */
    private static final String TINYLLAMA = """
            {"architectures": ["LlamaForCausalLM"], "attention_bias": false, "bos_token_id": 1,
             "eos_token_id": 2, "hidden_act": "silu", "hidden_size": 2048, "initializer_range": 0.02,
             "intermediate_size": 5632, "max_position_embeddings": 2048, "model_type": "llama",
             "num_attention_heads": 32, "num_hidden_layers": 22, "num_key_value_heads": 4,
             "pretraining_tp": 1, "rms_norm_eps": 1e-05, "rope_scaling": null, "rope_theta": 10000.0,
             "tie_word_embeddings": false, "torch_dtype": "bfloat16", "transformers_version": "4.35.0",
             "use_cache": true, "vocab_size": 32000}""";

    /** Qwen2-0.5B's config.json, as published. */
    private static final String QWEN2 = """
            {"architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 151643,
             "eos_token_id": 151643, "hidden_act": "silu", "hidden_size": 896, "initializer_range": 0.02,
             "intermediate_size": 4864, "max_position_embeddings": 131072, "max_window_layers": 24,
             "model_type": "qwen2", "num_attention_heads": 14, "num_hidden_layers": 24,
             "num_key_value_heads": 2, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0,
             "sliding_window": 131072, "tie_word_embeddings": true, "torch_dtype": "bfloat16",
             "transformers_version": "4.40.1", "use_cache": true, "use_sliding_window": false,
             "vocab_size": 151936}""";

    /** Mistral-7B-v0.1's config.json, as published. */
    private static final String MISTRAL = """
            {"architectures": ["MistralForCausalLM"], "bos_token_id": 1, "eos_token_id": 2,
             "hidden_act": "silu", "hidden_size": 4096, "initializer_range": 0.02,
             "intermediate_size": 14336, "max_position_embeddings": 32768, "model_type": "mistral",
             "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8,
             "rms_norm_eps": 1e-05, "rope_theta": 10000.0, "sliding_window": 4096,
             "tie_word_embeddings": false, "torch_dtype": "bfloat16", "transformers_version": "4.34.0.dev0",
             "use_cache": true, "vocab_size": 32000}""";

    @Test
    void readsTinyLlama() throws IOException {
        ModelConfig config = ModelConfig.fromJson(JSON.readTree(TINYLLAMA));
        assertEquals(ModelConfig.LLAMA, config.architecture());
        assertEquals(64, config.headDim());
        assertEquals(8, config.kvGroupSize());
        assertEquals(2048, config.contextLength());
        assertFalse(config.attentionBias());
        assertEquals(List.of(2), config.eosTokenIds());
        assertEquals(1, config.bosTokenId());
        // 1.1B parameters, as the model card says.
        assertEquals(1_100_048_384L, config.parameterCount());
    }

    @Test
    void readsQwen2WithBiasesTiedEmbeddingsAndInactiveSlidingWindow() throws IOException {
        ModelConfig config = ModelConfig.fromJson(JSON.readTree(QWEN2));
        assertTrue(config.attentionBias());
        assertFalse(config.outputProjectionBias());
        assertTrue(config.tieWordEmbeddings());
        assertEquals(131072, config.contextLength());
        assertEquals(1_000_000.0, config.ropeTheta());
    }

    @Test
    void mistralSlidingWindowCapsTheContextWhereItEqualsFullAttention() throws IOException {
        ModelConfig config = ModelConfig.fromJson(JSON.readTree(MISTRAL));
        assertEquals(32768, config.maxPositionEmbeddings());
        assertEquals(4096, config.contextLength());
    }

    @Test
    void unsupportedFieldsThatChangeTheMathAreRefusedByName() throws IOException {
        assertRefused(TINYLLAMA, "rope_scaling", JSON.readTree("{\"rope_type\": \"yarn\", \"factor\": 4.0}"));
        assertRefused(TINYLLAMA, "hidden_act", JSON.readTree("\"gelu\""));
        assertRefused(TINYLLAMA, "mlp_bias", JSON.readTree("true"));
        assertRefused(TINYLLAMA, "partial_rotary_factor", JSON.readTree("0.5"));
        assertRefused(TINYLLAMA, "architectures", JSON.readTree("[\"GPT2LMHeadModel\"]"));
        ObjectNode qwenWindow = (ObjectNode) JSON.readTree(QWEN2);
        qwenWindow.put("use_sliding_window", true).put("max_window_layers", 12);
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> ModelConfig.fromJson(qwenWindow));
        assertTrue(error.getMessage().contains("max_window_layers"), error.getMessage());
    }

    @Test
    void missingOrMistypedRequiredFieldsAreNamed() throws IOException {
        ObjectNode missing = (ObjectNode) JSON.readTree(TINYLLAMA);
        missing.remove("hidden_size");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ModelConfig.fromJson(missing))
                .getMessage().contains("hidden_size"));
        ObjectNode mistyped = (ObjectNode) JSON.readTree(TINYLLAMA);
        mistyped.put("num_hidden_layers", "twenty-two");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ModelConfig.fromJson(mistyped))
                .getMessage().contains("num_hidden_layers"));
    }

    @Test
    void linearRopeScalingIsRead() throws IOException {
        ObjectNode json = (ObjectNode) JSON.readTree(TINYLLAMA);
        json.set("rope_scaling", JSON.readTree("{\"type\": \"linear\", \"factor\": 2.0}"));
        assertEquals(2.0, ModelConfig.fromJson(json).ropeScalingFactor());
    }

    @Test
    void writeThenReadGivesTheSameConfig(@TempDir Path dir) throws IOException {
        for (String published : List.of(TINYLLAMA, QWEN2, MISTRAL)) {
            ModelConfig config = ModelConfig.fromJson(JSON.readTree(published));
            config.write(dir);
            assertEquals(config, ModelConfig.read(dir));
        }
    }

    @Test
    void unreadableConfigNamesTheFile(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve(ModelConfig.FILE_NAME), "{not json");
        IOException error = assertThrows(IOException.class, () -> ModelConfig.read(dir));
        assertTrue(error.getMessage().contains(ModelConfig.FILE_NAME), error.getMessage());
    }

    private static void assertRefused(String base, String field, com.fasterxml.jackson.databind.JsonNode value)
            throws IOException {
        ObjectNode json = (ObjectNode) JSON.readTree(base);
        json.set(field, value);
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> ModelConfig.fromJson(json));
        assertTrue(error.getMessage().contains(field), error.getMessage());
    }
}
