package dev.specd.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The hyper-parameters of a Llama-family decoder, read from a Hugging Face {@code config.json} of
 * {@code LlamaForCausalLM}, {@code Qwen2ForCausalLM} or {@code MistralForCausalLM}. Fields that
 * would change the math and that this runtime does not implement are refused, naming the field.
 *
 * @param attentionBias q/k/v projections have biases (always for Qwen2, {@code attention_bias} for
 *     Llama, where it also gives o_proj a bias)
 * @param outputProjectionBias o_proj has a bias (Llama with {@code attention_bias: true})
 * @param ropeScalingFactor linear RoPE scaling: positions are divided by it (1 = none)
 * @param contextLength the longest sequence served: {@code max_position_embeddings}, capped at a
 *     Mistral sliding window, inside which sliding-window attention equals full attention
 */
public record ModelConfig(
        String architecture,
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numAttentionHeads,
        int numKeyValueHeads,
        int headDim,
        double ropeTheta,
        double ropeScalingFactor,
        double rmsNormEps,
        boolean tieWordEmbeddings,
        boolean attentionBias,
        boolean outputProjectionBias,
        int maxPositionEmbeddings,
        int contextLength,
        int bosTokenId,
        List<Integer> eosTokenIds,
        String torchDtype) {

    public static final String LLAMA = "LlamaForCausalLM";
    public static final String QWEN2 = "Qwen2ForCausalLM";
    public static final String MISTRAL = "MistralForCausalLM";
    public static final Set<String> ARCHITECTURES = Set.of(LLAMA, QWEN2, MISTRAL);
    public static final String FILE_NAME = "config.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public ModelConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
        if (numAttentionHeads % numKeyValueHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads (" + numAttentionHeads
                    + ") must be a multiple of num_key_value_heads (" + numKeyValueHeads + ")");
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("head_dim must be even for rotary embeddings, got " + headDim);
        }
        for (int value : new int[] {vocabSize, hiddenSize, intermediateSize, numLayers, numAttentionHeads, contextLength}) {
            if (value < 1) {
                throw new IllegalArgumentException("model dimensions must be positive: " + this);
            }
        }
    }

    /** A plain Llama configuration, as {@code pretrain} and tests write them. */
    public static ModelConfig llama(int vocabSize, int hiddenSize, int intermediateSize, int numLayers,
            int numAttentionHeads, int numKeyValueHeads, int contextLength, boolean tieWordEmbeddings,
            int bosTokenId, int eosTokenId) {
        return new ModelConfig(LLAMA, vocabSize, hiddenSize, intermediateSize, numLayers, numAttentionHeads,
                numKeyValueHeads, hiddenSize / numAttentionHeads, 10000.0, 1.0, 1e-5, tieWordEmbeddings,
                false, false, contextLength, contextLength, bosTokenId, List.of(eosTokenId), "float32");
    }

    /** Query heads that share one key/value head (grouped-query attention). */
    public int kvGroupSize() {
        return numAttentionHeads / numKeyValueHeads;
    }

    public boolean isEos(int token) {
        return eosTokenIds.contains(token);
    }

    /** Parameter count, embeddings (and an untied head) included. */
    public long parameterCount() {
        long attention = (long) hiddenSize * headDim * (numAttentionHeads * 2L + numKeyValueHeads * 2L);
        if (attentionBias) {
            attention += (long) headDim * (numAttentionHeads + 2L * numKeyValueHeads);
        }
        if (outputProjectionBias) {
            attention += hiddenSize;
        }
        long mlp = 3L * hiddenSize * intermediateSize;
        long perLayer = attention + mlp + 2L * hiddenSize;
        long embeddings = (long) vocabSize * hiddenSize * (tieWordEmbeddings ? 1 : 2);
        return perLayer * numLayers + hiddenSize + embeddings;
    }

    public static ModelConfig read(Path modelDir) throws IOException {
        Path file = modelDir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new IOException("no " + FILE_NAME + " in " + modelDir);
        }
        JsonNode json;
        try {
            json = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + " is not valid JSON: " + e.getMessage(), e);
        }
        try {
            return fromJson(json);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    public static ModelConfig fromJson(JsonNode json) {
        if (!json.isObject()) {
            throw new IllegalArgumentException("config must be a JSON object");
        }
        String architecture = architecture(json);
        boolean qwen2 = architecture.equals(QWEN2);
        boolean mistral = architecture.equals(MISTRAL);

        String activation = text(json, "hidden_act", "silu");
        if (!activation.equals("silu")) {
            throw unsupported("hidden_act", activation, "only silu (SwiGLU) is implemented");
        }
        if (json.path("mlp_bias").asBoolean(false)) {
            throw unsupported("mlp_bias", "true", "MLP biases are not implemented");
        }
        double partialRotary = json.path("partial_rotary_factor").asDouble(1.0);
        if (partialRotary != 1.0) {
            throw unsupported("partial_rotary_factor", partialRotary, "only full rotary embeddings are implemented");
        }
        double ropeScaling = ropeScalingFactor(json.get("rope_scaling"));

        int hiddenSize = requiredInt(json, "hidden_size");
        int heads = requiredInt(json, "num_attention_heads");
        int kvHeads = json.has("num_key_value_heads") && !json.get("num_key_value_heads").isNull()
                ? requiredInt(json, "num_key_value_heads") : heads;
        int headDim = json.hasNonNull("head_dim") ? requiredInt(json, "head_dim") : hiddenSize / heads;
        int maxPositions = json.hasNonNull("max_position_embeddings")
                ? requiredInt(json, "max_position_embeddings") : (qwen2 || mistral ? 32768 : 2048);
        int contextLength = maxPositions;
        JsonNode window = json.get("sliding_window");
        boolean windowActive = mistral || (qwen2 && json.path("use_sliding_window").asBoolean(false));
        if (windowActive && window != null && !window.isNull()) {
            if (!window.canConvertToInt() || window.asInt() < 1) {
                throw unsupported("sliding_window", window, "expected a positive integer or null");
            }
            if (qwen2 && json.path("max_window_layers").asInt(Integer.MAX_VALUE) < requiredInt(json, "num_hidden_layers")) {
                throw unsupported("max_window_layers", json.get("max_window_layers"),
                        "sliding-window attention on only some layers is not implemented");
            }
            // Within the window, sliding-window attention is exactly full attention: serve up to it.
            contextLength = Math.min(contextLength, window.asInt());
        }

        boolean llamaAttentionBias = json.path("attention_bias").asBoolean(false);
        List<Integer> eos = tokenIds(json.get("eos_token_id"), "eos_token_id");
        List<Integer> bos = tokenIds(json.get("bos_token_id"), "bos_token_id");
        return new ModelConfig(
                architecture,
                requiredInt(json, "vocab_size"),
                hiddenSize,
                requiredInt(json, "intermediate_size"),
                requiredInt(json, "num_hidden_layers"),
                heads,
                kvHeads,
                headDim,
                json.path("rope_theta").asDouble(10000.0),
                ropeScaling,
                json.path("rms_norm_eps").asDouble(1e-6),
                json.path("tie_word_embeddings").asBoolean(false),
                qwen2 || llamaAttentionBias,
                !qwen2 && llamaAttentionBias,
                maxPositions,
                contextLength,
                bos.isEmpty() ? -1 : bos.getFirst(),
                eos,
                text(json, "torch_dtype", text(json, "dtype", "float32")));
    }

    /** The {@code config.json} Hugging Face writes for this model. */
    public ObjectNode toJson() {
        ObjectNode json = JSON.createObjectNode();
        json.putArray("architectures").add(architecture);
        json.put("model_type", switch (architecture) {
            case QWEN2 -> "qwen2";
            case MISTRAL -> "mistral";
            default -> "llama";
        });
        json.put("vocab_size", vocabSize);
        json.put("hidden_size", hiddenSize);
        json.put("intermediate_size", intermediateSize);
        json.put("num_hidden_layers", numLayers);
        json.put("num_attention_heads", numAttentionHeads);
        json.put("num_key_value_heads", numKeyValueHeads);
        json.put("head_dim", headDim);
        json.put("hidden_act", "silu");
        json.put("max_position_embeddings", maxPositionEmbeddings);
        if (contextLength < maxPositionEmbeddings) {
            json.put("sliding_window", contextLength);
        } else if (architecture.equals(MISTRAL)) {
            json.putNull("sliding_window");
        }
        json.put("rope_theta", ropeTheta);
        if (ropeScalingFactor != 1.0) {
            json.putObject("rope_scaling").put("rope_type", "linear").put("factor", ropeScalingFactor);
        }
        json.put("rms_norm_eps", rmsNormEps);
        json.put("tie_word_embeddings", tieWordEmbeddings);
        if (!architecture.equals(QWEN2)) {
            json.put("attention_bias", attentionBias);
        }
        if (bosTokenId >= 0) {
            json.put("bos_token_id", bosTokenId);
        }
        if (eosTokenIds.size() == 1) {
            json.put("eos_token_id", eosTokenIds.getFirst());
        } else {
            ArrayNode ids = json.putArray("eos_token_id");
            eosTokenIds.forEach(ids::add);
        }
        json.put("torch_dtype", torchDtype);
        return json;
    }

    public void write(Path modelDir) throws IOException {
        Files.createDirectories(modelDir);
        JSON.writeValue(modelDir.resolve(FILE_NAME).toFile(), toJson());
    }

    private static String architecture(JsonNode json) {
        JsonNode architectures = json.get("architectures");
        if (architectures == null || !architectures.isArray() || architectures.isEmpty()) {
            String modelType = text(json, "model_type", "");
            return switch (modelType) {
                case "llama" -> LLAMA;
                case "qwen2" -> QWEN2;
                case "mistral" -> MISTRAL;
                default -> throw unsupported("architectures", architectures,
                        "expected one of " + ARCHITECTURES + " (or model_type llama, qwen2, mistral)");
            };
        }
        String architecture = architectures.get(0).asText();
        if (!ARCHITECTURES.contains(architecture)) {
            throw unsupported("architectures", architecture, "expected one of " + ARCHITECTURES);
        }
        return architecture;
    }

    private static double ropeScalingFactor(JsonNode ropeScaling) {
        if (ropeScaling == null || ropeScaling.isNull()) {
            return 1.0;
        }
        String type = text(ropeScaling, "rope_type", text(ropeScaling, "type", "default"));
        return switch (type) {
            case "default" -> 1.0;
            case "linear" -> {
                double factor = ropeScaling.path("factor").asDouble(0);
                if (factor <= 0) {
                    throw unsupported("rope_scaling.factor", ropeScaling.get("factor"), "must be positive");
                }
                yield factor;
            }
            default -> throw unsupported("rope_scaling", type, "only default and linear RoPE scaling are implemented");
        };
    }

    private static List<Integer> tokenIds(JsonNode node, String field) {
        List<Integer> ids = new ArrayList<>();
        if (node == null || node.isNull()) {
            return ids;
        }
        if (node.isArray()) {
            node.forEach(id -> ids.add(tokenId(id, field)));
        } else {
            ids.add(tokenId(node, field));
        }
        return ids;
    }

    private static int tokenId(JsonNode node, String field) {
        if (!node.canConvertToInt() || !node.isIntegralNumber()) {
            throw unsupported(field, node, "expected an integer token id");
        }
        return node.asInt();
    }

    private static int requiredInt(JsonNode json, String field) {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) {
            throw new IllegalArgumentException("missing required field " + field);
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < 1) {
            throw new IllegalArgumentException(field + " must be a positive integer, got " + node);
        }
        return node.asInt();
    }

    private static String text(JsonNode json, String field, String fallback) {
        JsonNode node = json.get(field);
        return node == null || node.isNull() ? fallback : node.asText();
    }

    private static IllegalArgumentException unsupported(String field, Object value, String why) {
        return new IllegalArgumentException("unsupported " + field + " = " + value + ": " + why);
    }
}
