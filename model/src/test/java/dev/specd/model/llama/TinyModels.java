package dev.specd.model.llama;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.specd.model.ModelConfig;
import dev.specd.model.safetensors.DType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;

/** Small random checkpoints written by the tests themselves. */
final class TinyModels {

    /** Larger than the training initialisation so attention and logits are far from uniform. */
    static final double TEST_STD = 0.3;

    private TinyModels() {}

    /** Llama with grouped-query attention (4 query heads over 2 KV heads), untied head. */
    static ModelConfig llama() {
        return ModelConfig.llama(61, 32, 48, 2, 4, 2, 64, false, 0, 1);
    }

    /** Qwen2: q/k/v biases, tied embeddings, one KV head. */
    static ModelConfig qwen2() {
        return new ModelConfig(ModelConfig.QWEN2, 61, 32, 48, 2, 4, 1, 8, 1e6, 1.0, 1e-6,
                true, true, false, 64, 64, 0, List.of(1), "float32");
    }

    /** Llama with attention_bias (o_proj bias too) and linear RoPE scaling. */
    static ModelConfig llamaWithBiasAndScaling() {
        return new ModelConfig(ModelConfig.LLAMA, 61, 32, 48, 2, 4, 4, 8, 10000.0, 2.0, 1e-5,
                false, true, true, 64, 64, 0, List.of(1), "float32");
    }

    static SortedMap<String, float[]> weights(ModelConfig config, long seed) {
        return LlamaWeights.initialise(config, seed, TEST_STD);
    }

    static Transformer write(Path dir, ModelConfig config, SortedMap<String, float[]> weights,
            DType storage, DataType compute) throws IOException {
        LlamaWeights.write(dir, config, weights, storage);
        return Transformer.load(dir, Device.cpu(), compute);
    }
}
