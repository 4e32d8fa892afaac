package dev.specd.model.cpu;

import dev.specd.model.ModelConfig;

/**
 * The working memory of a forward over n rows (new tokens, all requests end to end), row-major
 * [n][width] float32 arrays. Kept by the model between forwards and replaced, larger, only when a
 * forward has more rows than any before it: decode steps allocate nothing.
 */
final class Activations {

    final int capacity; // rows
    final int logitCapacity;
    final float[] x; // [n][d] the residual stream
    final float[] qkv; // [n][kvHeads][groupSize·D queries | D key | D value] (Attention.qkvRowOrder)
    final float[] attended; // [n][heads·D]
    final float[] hidden; // [n][ffn] gate·x, then silu(gate·x) ⊙ up·x
    final float[] up; // [n][ffn] up·x
    final float[] logits; // [logit rows][vocab]
    final int[] slot; // [n] the KV-cache slot of each row
    final int[] position; // [n] its position in its sequence
    final int[] logitSource; // [logit rows] the row of x each logit row is
    final WorkerNorm workerNorm; // RMSNorm of rows of x, each thread of a region its own copy

    Activations(ModelConfig config, int capacity, int logitCapacity, int workers) {
        this.capacity = capacity;
        this.logitCapacity = logitCapacity;
        int d = config.hiddenSize();
        int qDim = config.numAttentionHeads() * config.headDim();
        int kvDim = config.numKeyValueHeads() * config.headDim();
        int ffn = config.intermediateSize();
        x = new float[capacity * d];
        qkv = new float[capacity * (qDim + 2 * kvDim)];
        attended = new float[capacity * qDim];
        hidden = new float[capacity * ffn];
        up = new float[capacity * ffn];
        logits = new float[logitCapacity * config.vocabSize()];
        slot = new int[capacity];
        position = new int[capacity];
        logitSource = new int[logitCapacity];
        workerNorm = new WorkerNorm(workers, capacity, d);
    }

    boolean fits(int rows, int logitRows) {
        return rows <= capacity && logitRows <= logitCapacity;
    }
}
