package dev.specd.model.gguf;

import dev.specd.model.ModelConfig;
import dev.specd.model.llama.LlamaWeights;
import dev.specd.model.safetensors.SafetensorsReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The tensors of a Llama checkpoint under llama.cpp's names ({@code llm_tensor} in
 * {@code llama-arch.cpp}), with q and k rows permuted for llama.cpp's rope. Norms stay F32 and
 * matrices take the chosen type, as llama.cpp's converter does: norms are tiny, and ggml's
 * rms_norm multiplies in F32.
 */
public final class LlamaGgufTensors {

    private LlamaGgufTensors() {}

    /** The tensors to write, read lazily from {@code reader}, which must stay open until written. */
    public static List<GgufTensor> of(SafetensorsReader reader, ModelConfig config, GgufTensorType matrixType)
            throws IOException {
        reader.verifyShapes(LlamaWeights.shapes(config));
        List<GgufTensor> tensors = new ArrayList<>();
        tensors.add(matrix(reader, LlamaWeights.EMBED, "token_embd.weight", matrixType));
        for (int layer = 0; layer < config.numLayers(); layer++) {
            String blk = "blk." + layer + ".";
            tensors.add(vector(reader, LlamaWeights.layer(layer, "input_layernorm.weight"), blk + "attn_norm.weight"));
            tensors.add(ropeMatrix(reader, LlamaWeights.layer(layer, "self_attn.q_proj.weight"), blk + "attn_q.weight",
                    matrixType, config.numAttentionHeads(), config.headDim()));
            tensors.add(ropeMatrix(reader, LlamaWeights.layer(layer, "self_attn.k_proj.weight"), blk + "attn_k.weight",
                    matrixType, config.numKeyValueHeads(), config.headDim()));
            tensors.add(matrix(reader, LlamaWeights.layer(layer, "self_attn.v_proj.weight"), blk + "attn_v.weight",
                    matrixType));
            tensors.add(matrix(reader, LlamaWeights.layer(layer, "self_attn.o_proj.weight"), blk + "attn_output.weight",
                    matrixType));
            tensors.add(vector(reader, LlamaWeights.layer(layer, "post_attention_layernorm.weight"),
                    blk + "ffn_norm.weight"));
            tensors.add(matrix(reader, LlamaWeights.layer(layer, "mlp.gate_proj.weight"), blk + "ffn_gate.weight",
                    matrixType));
            tensors.add(matrix(reader, LlamaWeights.layer(layer, "mlp.up_proj.weight"), blk + "ffn_up.weight",
                    matrixType));
            tensors.add(matrix(reader, LlamaWeights.layer(layer, "mlp.down_proj.weight"), blk + "ffn_down.weight",
                    matrixType));
        }
        tensors.add(vector(reader, LlamaWeights.FINAL_NORM, "output_norm.weight"));
        // Tied embeddings: llama.cpp reuses token_embd when output.weight is absent.
        if (!config.tieWordEmbeddings()) {
            tensors.add(matrix(reader, LlamaWeights.LM_HEAD, "output.weight", matrixType));
        }
        return tensors;
    }

    private static GgufTensor vector(SafetensorsReader reader, String source, String name) {
        long[] shape = reader.tensors().get(source).shape();
        return new GgufTensor(name, GgufTensorType.F32, new long[] {shape[0]}, () -> values(reader, source));
    }

    private static GgufTensor matrix(SafetensorsReader reader, String source, String name, GgufTensorType type) {
        long[] shape = reader.tensors().get(source).shape();
        return new GgufTensor(name, type, new long[] {shape[1], shape[0]}, () -> values(reader, source));
    }

    private static GgufTensor ropeMatrix(SafetensorsReader reader, String source, String name, GgufTensorType type,
            int heads, int headDim) {
        long[] shape = reader.tensors().get(source).shape();
        return new GgufTensor(name, type, new long[] {shape[1], shape[0]},
                () -> RopePermutation.toInterleaved(values(reader, source), heads, headDim, (int) shape[1]));
    }

    /** A tensor's values widened to float, row-major. */
    static float[] values(SafetensorsReader reader, String name) throws IOException {
        float[] values = new float[Math.toIntExact(reader.tensors().get(name).elementCount())];
        reader.readFloats(name, values, 0);
        return values;
    }
}
