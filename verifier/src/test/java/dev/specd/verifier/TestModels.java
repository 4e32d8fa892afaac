package dev.specd.verifier;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.specd.model.ModelConfig;
import dev.specd.model.llama.LlamaWeights;
import dev.specd.model.llama.Transformer;
import dev.specd.model.safetensors.DType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Small random Llama checkpoints written by the tests. */
final class TestModels {

    private TestModels() {}

    /** A Llama with no EOS token, so sequences end only at max_tokens (unless a test adds one). */
    static ModelConfig config(int vocab, int hidden, int layers, List<Integer> eos) {
        return new ModelConfig(ModelConfig.LLAMA, vocab, hidden, hidden * 2, layers, 2, 1, hidden / 2, 10000.0, 1.0,
                1e-5, false, false, false, 128, 128, -1, eos, "float32");
    }

    /** Writes random weights (std sets how peaked the distributions are) and loads the model. */
    static Transformer load(Path dir, ModelConfig config, long seed, double std) throws IOException {
        write(dir, config, seed, std);
        return Transformer.load(dir, Device.cpu(), DataType.FLOAT32);
    }

    /** Writes a float32 checkpoint of random weights, for any backend to load. */
    static void write(Path dir, ModelConfig config, long seed, double std) throws IOException {
        LlamaWeights.write(dir, config, LlamaWeights.initialise(config, seed, std), DType.F32);
    }
}
