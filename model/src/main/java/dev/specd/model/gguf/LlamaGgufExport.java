package dev.specd.model.gguf;

import dev.specd.model.ModelConfig;
import dev.specd.model.safetensors.SafetensorsReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Exports a Hugging Face Llama-family checkpoint directory ({@code config.json},
 * {@code model.safetensors} or shards, {@code tokenizer.json}) as a GGUF file of llama.cpp's
 * {@code llama} architecture, which {@code llama-server}, {@code llama-speculative} and Ollama load.
 * Everything llama.cpp's llama graph cannot compute exactly as specd does is refused, with the
 * reason, before anything is written.
 */
public final class LlamaGgufExport {

    public static final String ARCHITECTURE = "llama";

    /** {@code general.file_type} values of llama.cpp's {@code llama_ftype}. */
    private static final int FILE_TYPE_ALL_F32 = 0;
    private static final int FILE_TYPE_MOSTLY_F16 = 1;

    private LlamaGgufExport() {}

    public static GgufExportSummary export(Path modelDir, Path out, GgufExportOptions options) throws IOException {
        ModelConfig config = ModelConfig.read(modelDir);
        checkArchitecture(config);
        GgufTokenizer tokenizer = GgufTokenizer.read(modelDir, config, options.forcedPreTokenizer());
        String name = options.name() != null ? options.name()
                : modelDir.toAbsolutePath().normalize().getFileName().toString();
        Map<String, GgufValue> metadata = new LinkedHashMap<>(metadata(config, name, options.matrixType()));
        metadata.putAll(tokenizer.metadata());
        try (SafetensorsReader reader = SafetensorsReader.open(modelDir)) {
            List<GgufTensor> tensors = LlamaGgufTensors.of(reader, config, options.matrixType());
            GgufWriter.write(out, metadata, tensors);
            return new GgufExportSummary(out, Files.size(out), name, tensors.size(), metadata.size() + 1,
                    options.matrixType(), tokenizer.preTokenizer(), tokenizer.preTokenizerForced(), config.vocabSize());
        }
    }

    /** The {@code general.*} and {@code llama.*} keys, typed as llama.cpp's loader reads them. */
    static Map<String, GgufValue> metadata(ModelConfig config, String name, GgufTensorType matrixType) {
        Map<String, GgufValue> keys = new LinkedHashMap<>();
        keys.put("general.architecture", new GgufValue.Text(ARCHITECTURE));
        keys.put("general.name", new GgufValue.Text(name));
        keys.put("general.file_type", new GgufValue.UInt32(
                matrixType == GgufTensorType.F16 ? FILE_TYPE_MOSTLY_F16 : FILE_TYPE_ALL_F32));
        String arch = ARCHITECTURE + ".";
        keys.put(arch + "vocab_size", new GgufValue.UInt32(config.vocabSize()));
        // A Mistral sliding window caps it: within the window, its attention is llama's full attention.
        keys.put(arch + "context_length", new GgufValue.UInt32(config.contextLength()));
        keys.put(arch + "embedding_length", new GgufValue.UInt32(config.hiddenSize()));
        keys.put(arch + "block_count", new GgufValue.UInt32(config.numLayers()));
        keys.put(arch + "feed_forward_length", new GgufValue.UInt32(config.intermediateSize()));
        keys.put(arch + "attention.head_count", new GgufValue.UInt32(config.numAttentionHeads()));
        keys.put(arch + "attention.head_count_kv", new GgufValue.UInt32(config.numKeyValueHeads()));
        // llama.cpp assumes embedding_length / head_count unless told: say it always (head_dim may differ).
        keys.put(arch + "attention.key_length", new GgufValue.UInt32(config.headDim()));
        keys.put(arch + "attention.value_length", new GgufValue.UInt32(config.headDim()));
        keys.put(arch + "rope.dimension_count", new GgufValue.UInt32(config.headDim()));
        keys.put(arch + "rope.freq_base", new GgufValue.Float32((float) config.ropeTheta()));
        if (config.ropeScalingFactor() != 1.0) {
            keys.put(arch + "rope.scaling.type", new GgufValue.Text("linear"));
            keys.put(arch + "rope.scaling.factor", new GgufValue.Float32((float) config.ropeScalingFactor()));
        }
        keys.put(arch + "attention.layer_norm_rms_epsilon", new GgufValue.Float32((float) config.rmsNormEps()));
        return keys;
    }

    private static void checkArchitecture(ModelConfig config) throws UnexportableModelException {
        if (config.architecture().equals(ModelConfig.QWEN2)) {
            throw new UnexportableModelException("cannot export " + config.architecture() + " as llama: Qwen2 has "
                    + "q/k/v biases and llama.cpp runs it as its own qwen2 architecture, without the llama rope "
                    + "permutation; only Llama and Mistral checkpoints export");
        }
        if (config.attentionBias() || config.outputProjectionBias()) {
            throw new UnexportableModelException("cannot export a checkpoint with attention_bias: true as llama: "
                    + "this exporter writes bias-free llama attention only");
        }
    }
}
