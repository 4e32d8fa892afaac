package dev.specd.model.cpu;

import static dev.specd.model.llama.LlamaWeights.layer;

import dev.specd.model.CausalLM;
import dev.specd.model.KVCache;
import dev.specd.model.ModelConfig;
import dev.specd.model.ScoreRequest;
import dev.specd.model.llama.LlamaWeights;
import dev.specd.model.safetensors.SafetensorsReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The Llama-family decoder of {@link dev.specd.model.llama.Transformer}, for CPU inference in Java
 * with the Vector API, its tile products in C where {@link NativeTiles} loads: no per-operation
 * dispatch, and no allocation per step but the logits it returns. A
 * forward runs every new token of every request as one block of rows, so each weight matrix is
 * read once per forward whether it scores one position or a verification block of several; the
 * matrix products are shared out across the cores by output row ({@link WorkerPool}). Weights stay
 * in the checkpoint's precision (bfloat16 halves what a decode step reads); activations, the KV
 * cache and logits are float32.
 *
 * <p>One forward at a time: {@link #score} is synchronized.
 */
public final class CpuTransformer implements CausalLM {

    /** One decoder block's weights: pre-norm attention and pre-norm SwiGLU, each with a residual. */
    private record Block(float[] attentionNorm, Projection qkv, Projection output, float[] feedForwardNorm,
            FeedForward feedForward) {}

    private final ModelConfig config;
    private final Matrix embedding; // [V, d]
    private final Block[] blocks;
    private final float[] finalNorm;
    private final Projection head; // over the embedding when tied
    private final Attention attention;
    private final float eps;
    private final LogitCopy logitCopy;
    private final int workers;
    private Activations activations;

    private CpuTransformer(ModelConfig config, WorkerPool pool, Matrix embedding, Block[] blocks, float[] finalNorm,
            Matrix head) {
        this.config = config;
        this.embedding = embedding;
        this.blocks = blocks;
        this.finalNorm = finalNorm;
        this.head = new Projection(head, null, pool);
        logitCopy = new LogitCopy(pool, config.vocabSize());
        attention = new Attention(config, pool);
        eps = (float) config.rmsNormEps();
        workers = pool.size();
        activations = new Activations(config, 1, 1, workers);
    }

    /**
     * Loads a Hugging Face checkpoint directory ({@code config.json} and {@code model.safetensors}
     * or a sharded index) onto the heap. q, k and v are stacked into one matrix, so that they are
     * one parallel product.
     */
    public static CpuTransformer load(Path modelDir) throws IOException {
        ModelConfig config = ModelConfig.read(modelDir);
        WorkerPool pool = WorkerPool.shared();
        try (SafetensorsReader reader = SafetensorsReader.open(modelDir)) {
            LlamaWeights.verify(reader, config);
            CheckpointTensors tensors = new CheckpointTensors(reader);
            Block[] blocks = new Block[config.numLayers()];
            int[] qkvOrder = Attention.qkvRowOrder(config);
            for (int i = 0; i < blocks.length; i++) {
                List<String> qkv = List.of(layer(i, "self_attn.q_proj.weight"), layer(i, "self_attn.k_proj.weight"),
                        layer(i, "self_attn.v_proj.weight"));
                List<String> qkvBias = config.attentionBias()
                        ? List.of(layer(i, "self_attn.q_proj.bias"), layer(i, "self_attn.k_proj.bias"),
                                layer(i, "self_attn.v_proj.bias"))
                        : List.of();
                blocks[i] = new Block(
                        tensors.vector(layer(i, "input_layernorm.weight")),
                        new Projection(tensors.stackedMatrix(qkv, qkvOrder), tensors.stackedVector(qkvBias, qkvOrder),
                                pool),
                        new Projection(tensors.matrix(layer(i, "self_attn.o_proj.weight")),
                                tensors.vector(config.outputProjectionBias() ? layer(i, "self_attn.o_proj.bias") : null),
                                pool),
                        tensors.vector(layer(i, "post_attention_layernorm.weight")),
                        new FeedForward(tensors.matrix(layer(i, "mlp.gate_proj.weight")),
                                tensors.matrix(layer(i, "mlp.up_proj.weight")),
                                tensors.matrix(layer(i, "mlp.down_proj.weight")), pool));
            }
            Matrix embedding = tensors.matrix(LlamaWeights.EMBED);
            Matrix head = config.tieWordEmbeddings() ? embedding : tensors.matrix(LlamaWeights.LM_HEAD);
            return new CpuTransformer(config, pool, embedding, blocks, tensors.vector(LlamaWeights.FINAL_NORM), head);
        }
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    /**
     * Bytes of weights one decode step reads: every matrix, bias and norm but the embedding table,
     * of which it reads one row (unless tied, when the head reads it all). The numerator of the
     * memory-bandwidth bound.
     */
    public long weightBytesPerToken() {
        long bytes = head.bytes() + (long) finalNorm.length * Float.BYTES;
        for (Block block : blocks) {
            bytes += block.qkv().bytes() + block.output().bytes() + block.feedForward().bytes()
                    + (long) (block.attentionNorm().length + block.feedForwardNorm().length) * Float.BYTES;
        }
        return bytes;
    }

    @Override
    public KVCache newCache(int slots, int maxLength, long maxBytes) {
        return new CpuKVCache(this, slots, maxLength, maxBytes);
    }

    @Override
    public synchronized List<float[][]> score(KVCache kvCache, List<ScoreRequest> batch) {
        if (!(kvCache instanceof CpuKVCache cache) || cache.owner() != this) {
            throw new IllegalArgumentException("this cache was not made by this model's newCache");
        }
        ScoreRequest.checkBatch(batch, config.vocabSize());
        int rows = 0;
        int logitRows = 0;
        for (ScoreRequest request : batch) {
            cache.beginWrite(request.slot(), request.startPosition(), request.endPosition());
            rows += request.tokens().length;
            logitRows += request.logitPositions();
        }
        Activations a = activations(rows, logitRows);
        embed(batch, a);
        for (int layer = 0; layer < blocks.length; layer++) {
            block(layer, cache, a, rows);
        }
        float[][] logits = logits(batch, a, logitRows);
        List<float[][]> perRequest = new ArrayList<>(batch.size());
        int next = 0;
        for (ScoreRequest request : batch) {
            cache.endWrite(request.slot(), request.endPosition());
            perRequest.add(Arrays.copyOfRange(logits, next, next + request.logitPositions()));
            next += request.logitPositions();
        }
        return perRequest;
    }

    /** The working memory for this forward: the last one's, unless it has too few rows. */
    private Activations activations(int rows, int logitRows) {
        if (!activations.fits(rows, logitRows)) {
            activations = new Activations(config, Math.max(rows, activations.capacity),
                    Math.max(logitRows, activations.logitCapacity), workers);
        }
        return activations;
    }

    /** Rows in request order, each request's new tokens in order: embeddings, slots and positions. */
    private void embed(List<ScoreRequest> batch, Activations a) {
        int d = config.hiddenSize();
        int row = 0;
        for (ScoreRequest request : batch) {
            int[] tokens = request.tokens();
            for (int t = 0; t < tokens.length; t++, row++) {
                a.slot[row] = request.slot();
                a.position[row] = request.startPosition() + t;
                embedding.copyRow(tokens[t], a.x, row * d);
            }
        }
    }

    /** One pre-norm decoder block over rows [0, n): x += attention(norm(x)); x += feedForward(norm(x)). */
    private void block(int layer, CpuKVCache cache, Activations a, int n) {
        Block block = blocks[layer];
        block.qkv().apply(a.workerNorm.of(a.x, n, block.attentionNorm(), eps), n, a.qkv, false);
        attention.apply(cache, layer, a, n);
        block.output().apply(a.attended, n, a.x, true);
        block.feedForward().apply(a.workerNorm.of(a.x, n, block.feedForwardNorm(), eps), n, a.hidden, a.up, a.x);
    }

    /** Final norm and vocabulary head over each request's last logitPositions rows: [logit rows][V]. */
    private float[][] logits(List<ScoreRequest> batch, Activations a, int logitRows) {
        int selected = 0;
        int row = 0;
        for (ScoreRequest request : batch) {
            int length = request.tokens().length;
            for (int t = length - request.logitPositions(); t < length; t++) {
                a.logitSource[selected++] = row + t;
            }
            row += length;
        }
        head.apply(a.workerNorm.of(a.x, a.logitSource, logitRows, finalNorm, eps), logitRows, a.logits, false);
        return logitCopy.copy(a.logits, logitRows);
    }

    /**
     * The head's output rows copied into arrays of their own, which the caller keeps, one row a
     * chunk across the pool: the copies go to freshly allocated memory, in no cache, and one thread
     * copied the five rows of a verification in 15 µs, a fortieth of the forward.
     */
    private static final class LogitCopy implements WorkerPool.Task {

        private final WorkerPool pool;
        private final int vocab;
        // The call in progress.
        private float[] flat;
        private float[][] rows;

        LogitCopy(WorkerPool pool, int vocab) {
            this.pool = pool;
            this.vocab = vocab;
        }

        /** [n][vocab] rows of {@code flat}, which is [n · vocab]. */
        float[][] copy(float[] flat, int n) {
            this.flat = flat;
            rows = new float[n][];
            pool.run(this, n, 1);
            float[][] copied = rows;
            rows = null;
            return copied;
        }

        @Override
        public void run(int from, int to, int worker) {
            for (int i = from; i < to; i++) {
                rows[i] = Arrays.copyOfRange(flat, i * vocab, (i + 1) * vocab);
            }
        }
    }

    /** Nothing native to free: weights, caches and working memory are heap arrays. */
    @Override
    public void close() {
        // The pool is shared by every model in the process and lives with it.
    }
}
