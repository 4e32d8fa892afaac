package dev.specd.model.llama;

import dev.specd.model.ModelConfig;
import dev.specd.model.safetensors.DType;
import dev.specd.model.safetensors.SafetensorsReader;
import dev.specd.model.safetensors.SafetensorsWriter;
import dev.specd.model.safetensors.TensorBytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.SortedMap;
import java.util.TreeMap;

/** Hugging Face tensor names and shapes of a Llama-family checkpoint ([out, in] for projections). */
public final class LlamaWeights {

    public static final String EMBED = "model.embed_tokens.weight";
    public static final String FINAL_NORM = "model.norm.weight";
    public static final String LM_HEAD = "lm_head.weight";

    /** Standard deviation of freshly initialised projections and embeddings (GPT-2, Llama). */
    public static final double INIT_STD = 0.02;

    private LlamaWeights() {}

    public static String layer(int layer, String tensor) {
        return "model.layers." + layer + "." + tensor;
    }

    /** Every tensor the configuration needs, in checkpoint order, with its shape. */
    public static Map<String, long[]> shapes(ModelConfig config) {
        long d = config.hiddenSize();
        long qDim = (long) config.numAttentionHeads() * config.headDim();
        long kvDim = (long) config.numKeyValueHeads() * config.headDim();
        long ffn = config.intermediateSize();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put(EMBED, new long[] {config.vocabSize(), d});
        for (int i = 0; i < config.numLayers(); i++) {
            shapes.put(layer(i, "input_layernorm.weight"), new long[] {d});
            shapes.put(layer(i, "self_attn.q_proj.weight"), new long[] {qDim, d});
            shapes.put(layer(i, "self_attn.k_proj.weight"), new long[] {kvDim, d});
            shapes.put(layer(i, "self_attn.v_proj.weight"), new long[] {kvDim, d});
            shapes.put(layer(i, "self_attn.o_proj.weight"), new long[] {d, qDim});
            if (config.attentionBias()) {
                shapes.put(layer(i, "self_attn.q_proj.bias"), new long[] {qDim});
                shapes.put(layer(i, "self_attn.k_proj.bias"), new long[] {kvDim});
                shapes.put(layer(i, "self_attn.v_proj.bias"), new long[] {kvDim});
            }
            if (config.outputProjectionBias()) {
                shapes.put(layer(i, "self_attn.o_proj.bias"), new long[] {d});
            }
            shapes.put(layer(i, "post_attention_layernorm.weight"), new long[] {d});
            shapes.put(layer(i, "mlp.gate_proj.weight"), new long[] {ffn, d});
            shapes.put(layer(i, "mlp.up_proj.weight"), new long[] {ffn, d});
            shapes.put(layer(i, "mlp.down_proj.weight"), new long[] {d, ffn});
        }
        shapes.put(FINAL_NORM, new long[] {d});
        if (!config.tieWordEmbeddings()) {
            shapes.put(LM_HEAD, new long[] {config.vocabSize(), d});
        }
        return shapes;
    }

    /**
     * Checks that a checkpoint holds exactly the tensors of {@code config}, each of its shape. A tied
     * checkpoint may still store the head: tying means the embedding is used and the head ignored.
     */
    public static void verify(SafetensorsReader reader, ModelConfig config) throws IOException {
        Map<String, long[]> expected = shapes(config);
        if (config.tieWordEmbeddings() && reader.tensors().containsKey(LM_HEAD)) {
            expected.put(LM_HEAD, expected.get(EMBED));
        }
        reader.verifyShapes(expected);
    }

    /**
     * Fresh weights from a fixed seed: norms at 1, everything else N(0, std²).
     * Deterministic across machines (SplittableRandom), so tests and pretraining reproduce.
     */
    public static SortedMap<String, float[]> initialise(ModelConfig config, long seed, double std) {
        SplittableRandom random = new SplittableRandom(seed);
        SortedMap<String, float[]> weights = new TreeMap<>();
        shapes(config).forEach((name, shape) -> {
            long elements = 1;
            for (long dim : shape) {
                elements *= dim;
            }
            float[] values = new float[Math.toIntExact(elements)];
            if (name.endsWith("norm.weight")) {
                Arrays.fill(values, 1f);
            } else {
                for (int j = 0; j < values.length; j++) {
                    values[j] = (float) (random.nextGaussian() * std);
                }
            }
            weights.put(name, values);
        });
        return weights;
    }

    /**
     * Writes a checkpoint directory: {@code config.json} and {@code model.safetensors} with the
     * weights stored as {@code storage} (F32, F16, or BF16 rounded to nearest even).
     */
    public static void write(Path modelDir, ModelConfig config, SortedMap<String, float[]> weights, DType storage)
            throws IOException {
        Map<String, long[]> shapes = shapes(config);
        SortedMap<String, TensorBytes> tensors = new TreeMap<>();
        weights.forEach((name, values) -> {
            long[] shape = shapes.get(name);
            if (shape == null) {
                throw new IllegalArgumentException("not a tensor of this configuration: " + name);
            }
            tensors.put(name, new TensorBytes(storage, shape, encode(values, storage)));
        });
        Files.createDirectories(modelDir);
        config.write(modelDir);
        SafetensorsWriter.writeBytes(modelDir.resolve(SafetensorsReader.SINGLE_FILE), tensors, Map.of("format", "pt"));
    }

    private static ByteBuffer encode(float[] values, DType storage) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * storage.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : values) {
            switch (storage) {
                case F32 -> bytes.putFloat(value);
                case F16 -> bytes.putShort(Float.floatToFloat16(value));
                case BF16 -> bytes.putShort(toBfloat16(value));
            }
        }
        return bytes.flip();
    }

    /** The upper half of the float32, rounded to nearest even (NaN stays NaN). */
    static short toBfloat16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int roundingBias = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + roundingBias) >>> 16);
    }
}
