package dev.specd.model.llama;

import static dev.specd.model.llama.LlamaWeights.layer;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.specd.model.CausalLM;
import dev.specd.model.KVCache;
import dev.specd.model.ModelConfig;
import dev.specd.model.ScoreRequest;
import dev.specd.model.safetensors.SafetensorsReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A Llama-family decoder (Llama, Qwen2, Mistral) on Deep Java Library's PyTorch engine: token
 * embedding, pre-norm blocks of grouped-query attention and SwiGLU, final RMSNorm, tied or untied
 * vocabulary head. Weights are held in the compute dtype; every intermediate of a forward is
 * closed by an {@link NDScope} when the forward returns, so a decode loop holds no native memory
 * beyond the weights and the KV cache.
 */
public final class Transformer implements CausalLM {

    private final ModelConfig config;
    private final NDManager manager;
    private final DataType computeType;
    private final NDArray embedding; // [V, d]
    private final NDArray head; // [V, d], the embedding itself when tied
    private final TransformerBlock[] blocks;
    private final RMSNorm finalNorm;
    private final RotaryEmbedding rope;
    private final Map<String, NDArray> weights;

    private Transformer(ModelConfig config, NDManager manager, DataType computeType, Map<String, NDArray> weights) {
        this.config = config;
        this.weights = Map.copyOf(weights);
        this.manager = manager;
        this.computeType = computeType;
        embedding = weights.get(LlamaWeights.EMBED);
        head = config.tieWordEmbeddings() ? embedding : weights.get(LlamaWeights.LM_HEAD);
        blocks = new TransformerBlock[config.numLayers()];
        for (int i = 0; i < blocks.length; i++) {
            NDArray[] projections = {
                weights.get(layer(i, "self_attn.q_proj.weight")),
                weights.get(layer(i, "self_attn.k_proj.weight")),
                weights.get(layer(i, "self_attn.v_proj.weight")),
                weights.get(layer(i, "self_attn.o_proj.weight"))
            };
            NDArray[] biases = {
                weights.get(layer(i, "self_attn.q_proj.bias")),
                weights.get(layer(i, "self_attn.k_proj.bias")),
                weights.get(layer(i, "self_attn.v_proj.bias")),
                weights.get(layer(i, "self_attn.o_proj.bias"))
            };
            blocks[i] = new TransformerBlock(
                    new RMSNorm(weights.get(layer(i, "input_layernorm.weight")), config.rmsNormEps()),
                    new Attention(config, projections, biases),
                    new RMSNorm(weights.get(layer(i, "post_attention_layernorm.weight")), config.rmsNormEps()),
                    new FeedForward(
                            weights.get(layer(i, "mlp.gate_proj.weight")),
                            weights.get(layer(i, "mlp.up_proj.weight")),
                            weights.get(layer(i, "mlp.down_proj.weight"))));
        }
        finalNorm = new RMSNorm(weights.get(LlamaWeights.FINAL_NORM), config.rmsNormEps());
        rope = new RotaryEmbedding(config, manager, computeType);
    }

    /**
     * Loads a Hugging Face checkpoint directory ({@code config.json} and {@code model.safetensors}
     * or a sharded index). Weights in the compute dtype on CPU are used in place from the memory
     * mapping; others are converted once.
     */
    public static Transformer load(Path modelDir, Device device, DataType computeType) throws IOException {
        checkComputeType(computeType);
        ModelConfig config = ModelConfig.read(modelDir);
        NDManager manager = NDManager.newBaseManager(device, "PyTorch");
        try (SafetensorsReader reader = SafetensorsReader.open(modelDir)) {
            LlamaWeights.verify(reader, config);
            Map<String, NDArray> weights = new HashMap<>();
            for (String name : LlamaWeights.shapes(config).keySet()) {
                NDArray stored = reader.load(manager, name);
                NDArray placed = stored.toDevice(device, false).toType(computeType, false);
                if (placed != stored) {
                    stored.close();
                }
                weights.put(name, placed);
            }
            return new Transformer(config, manager, computeType, weights);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * float32 or float16. bfloat16 is refused: DJL 0.35.1's PyTorch JNI maps no dtype past its first
     * nine (GetScalarTypeFromDType), so creating or casting to BFLOAT16 aborts the JVM. BF16
     * checkpoints load exactly as float32.
     */
    public static void checkComputeType(DataType computeType) {
        if (computeType != DataType.FLOAT32 && computeType != DataType.FLOAT16) {
            throw new IllegalArgumentException("compute dtype must be float32 or float16, got " + computeType
                    + (computeType == DataType.BFLOAT16
                            ? " (DJL 0.35.1's PyTorch engine cannot hold bfloat16 arrays; BF16 checkpoints load as float32)"
                            : ""));
        }
    }

    /**
     * A model over arrays the caller made (the trainer's parameters, which need gradients). Takes
     * ownership of {@code manager}: closing the model closes it.
     */
    public static Transformer fromWeights(ModelConfig config, NDManager manager, DataType computeType,
            Map<String, NDArray> weights) {
        checkComputeType(computeType);
        Map<String, long[]> expected = LlamaWeights.shapes(config);
        for (Map.Entry<String, long[]> tensor : expected.entrySet()) {
            NDArray array = weights.get(tensor.getKey());
            if (array == null || !Arrays.equals(array.getShape().getShape(), tensor.getValue())) {
                throw new IllegalArgumentException(tensor.getKey() + ": expected "
                        + Arrays.toString(tensor.getValue()) + ", found "
                        + (array == null ? "missing" : Arrays.toString(array.getShape().getShape())));
            }
        }
        return new Transformer(config, manager, computeType, weights);
    }

    /** Every weight by its Hugging Face name. */
    public Map<String, NDArray> weights() {
        return weights;
    }

    /**
     * The training forward: token ids [B, T] at positions 0..T−1, causal, no cache → logits [B, T, V]
     * in float32. Not scoped: the caller keeps the graph alive for backward and closes it after.
     */
    public NDArray logits(NDArray tokens) {
        long batch = tokens.getShape().get(0);
        int length = Math.toIntExact(tokens.getShape().get(1));
        if (length > config.contextLength()) {
            throw new IllegalArgumentException("sequence of " + length + " exceeds the context length " + config.contextLength());
        }
        NDManager scope = tokens.getManager();
        NDArray positions = scope.arange(0, length, 1, DataType.INT64).expandDims(0).repeat(0, batch);
        NDList cosSin = rope.lookup(positions);
        float[] causal = new float[length * length];
        for (int query = 0; query < length; query++) {
            for (int key = query + 1; key < length; key++) {
                causal[query * length + key] = Float.NEGATIVE_INFINITY;
            }
        }
        NDArray mask = scope.create(causal, new Shape(1, 1, 1, length, length));
        NDArray x = embedding.get(tokens);
        for (TransformerBlock block : blocks) {
            x = block.apply(x, cosSin, rope, mask);
        }
        return Linear.linear(finalNorm.apply(x), head).head().toType(DataType.FLOAT32, false);
    }

    /** The compute dtype named on a command line: {@code float32} or {@code float16}. */
    public static DataType parseComputeType(String name) {
        DataType type = switch (name.toLowerCase(Locale.ROOT)) {
            case "float32" -> DataType.FLOAT32;
            case "float16" -> DataType.FLOAT16;
            case "bfloat16" -> DataType.BFLOAT16;
            default -> throw new IllegalArgumentException("compute dtype must be float32 or float16, got " + name);
        };
        checkComputeType(type);
        return type;
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    public DataType computeType() {
        return computeType;
    }

    public Device device() {
        return manager.getDevice();
    }

    @Override
    public KVCache newCache(int slots, int maxLength, long maxBytes) {
        return new LlamaKVCache(config, manager, computeType, slots, maxLength, maxBytes);
    }

    @Override
    public List<float[][]> score(KVCache kvCache, List<ScoreRequest> requests) {
        if (!(kvCache instanceof LlamaKVCache cache)) {
            throw new IllegalArgumentException("this cache was not made by this model's newCache");
        }
        ScoreRequest.checkBatch(requests, config.vocabSize());
        ForwardBatch batch = new ForwardBatch(requests);
        for (int i = 0; i < batch.size(); i++) {
            cache.beginWrite(batch.slot(i), batch.start(i), batch.end(i));
        }
        long[] rows = batch.logitRows();
        float[] logits;
        try (NDScope ignored = new NDScope()) {
            NDArray x = embedding.get(batch.tokens(manager)); // [B, T, d]
            NDList cosSin = rope.lookup(batch.positions(manager));
            NDArray mask = batch.mask(manager);
            for (int layer = 0; layer < blocks.length; layer++) {
                x = blocks[layer].apply(x, cosSin, rope, batch, cache, layer, mask);
            }
            NDArray selected = x.reshape(-1, config.hiddenSize()).get(manager.create(rows)); // [R, d]
            logits = Linear.linear(finalNorm.apply(selected), head).head()
                    .toType(DataType.FLOAT32, false)
                    .toFloatArray(); // [R, V]
        }
        for (int i = 0; i < batch.size(); i++) {
            cache.endWrite(batch.slot(i), batch.end(i));
        }
        return split(logits, batch);
    }

    private List<float[][]> split(float[] logits, ForwardBatch batch) {
        int vocab = config.vocabSize();
        List<float[][]> perRequest = new ArrayList<>(batch.size());
        int row = 0;
        for (int i = 0; i < batch.size(); i++) {
            float[][] rowsOfRequest = new float[batch.logitPositions(i)][];
            for (int j = 0; j < rowsOfRequest.length; j++, row++) {
                rowsOfRequest[j] = Arrays.copyOfRange(logits, row * vocab, (row + 1) * vocab);
            }
            perRequest.add(rowsOfRequest);
        }
        return perRequest;
    }

    /** NDArrays alive in this model's manager and its caches: constant across forwards unless something leaks. */
    int liveArrays() {
        return manager.getManagedArrays().size();
    }

    @Override
    public void close() {
        manager.close();
    }
}
