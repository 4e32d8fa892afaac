package dev.specd.trainer.online;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.specd.model.KVCache;
import dev.specd.model.ModelConfig;
import dev.specd.model.ScoreRequest;
import dev.specd.model.llama.LlamaWeights;
import dev.specd.model.llama.Transformer;
import dev.specd.model.safetensors.DType;
import dev.specd.querylog.TopLogprobs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.SplittableRandom;

/**
 * A tiny random target and a different tiny random draft over one 48-token vocabulary, and traffic
 * sampled from the target the way serving logs it.
 */
final class TinyModels {

    static final int VOCAB = 48;
    static final int TOP_K = 8;
    static final String TOKENIZER = "{\"tiny\": true}";

    private TinyModels() {}

    /** 2 layers, d 32, 4 query heads over 2 KV heads. */
    static ModelConfig target() {
        return ModelConfig.llama(VOCAB, 32, 64, 2, 4, 2, 64, false, 0, 1);
    }

    /** 1 layer, d 32. */
    static ModelConfig draft() {
        return ModelConfig.llama(VOCAB, 32, 64, 1, 4, 2, 64, false, 0, 1);
    }

    /**
     * A target whose next token depends mostly on the current one, and on the context a little:
     * embeddings N(0, 1) and head N(0, 0.4²) (logits of standard deviation ≈ 2.3 after the final
     * norm: peaked, not uniform), attention and MLP weights N(0, 0.15²). A one-layer draft can
     * learn much of it from a few hundred records.
     */
    static Path writeTarget(Path dir, long seed) throws IOException {
        ModelConfig config = target();
        SortedMap<String, float[]> weights = LlamaWeights.initialise(config, seed, 0.15);
        SplittableRandom random = new SplittableRandom(seed + 1000);
        fill(weights.get(LlamaWeights.EMBED), 1.0, random);
        fill(weights.get(LlamaWeights.LM_HEAD), 0.4, random);
        return write(dir, config, weights);
    }

    /** A draft from another seed: it starts far from the target (expected acceptance ≈ 0.2). */
    static Path writeDraft(Path dir, long seed) throws IOException {
        return write(dir, draft(), LlamaWeights.initialise(draft(), seed, 0.3));
    }

    private static void fill(float[] values, double std, SplittableRandom random) {
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextGaussian() * std);
        }
    }

    private static Path write(Path dir, ModelConfig config, SortedMap<String, float[]> weights) throws IOException {
        LlamaWeights.write(dir, config, weights, DType.F32);
        Files.writeString(dir.resolve("tokenizer.json"), TOKENIZER);
        return dir;
    }

    static Transformer load(Path dir) throws IOException {
        return Transformer.load(dir, Device.cpu(), DataType.FLOAT32);
    }

    /**
     * {@code count} requests of one domain: a prompt of 4–8 tokens drawn from the domain's slice
     * [firstToken, lastToken) of the vocabulary, then {@code outputLength} tokens sampled from the
     * target at temperature 1, each logged with the top-k log-probabilities of the target's raw
     * logits at that position (what verification computes anyway).
     */
    static List<TrainingRecord> sample(Transformer target, String domain, int firstToken, int lastToken, int count,
            int outputLength, long firstId, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<TrainingRecord> records = new ArrayList<>();
        int group = 32;
        try (KVCache cache = target.newCache(group, 64, Long.MAX_VALUE)) {
            for (int start = 0; start < count; start += group) {
                int n = Math.min(group, count - start);
                int[] slots = new int[n];
                int[][] prompts = new int[n][];
                int[][] outputs = new int[n][outputLength];
                List<List<TopLogprobs>> logged = new ArrayList<>();
                List<ScoreRequest> requests = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    slots[i] = cache.acquire().orElseThrow();
                    prompts[i] = random.ints(4 + random.nextInt(5), firstToken, lastToken).toArray();
                    logged.add(new ArrayList<>());
                    requests.add(ScoreRequest.lastPosition(slots[i], 0, prompts[i]));
                }
                for (int step = 0; step < outputLength; step++) {
                    List<float[][]> logits = target.score(cache, requests);
                    requests = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        float[] row = logits.get(i)[0];
                        logged.get(i).add(TopLogprobs.fromLogits(row, TOP_K));
                        outputs[i][step] = sampleToken(row, random);
                        requests.add(ScoreRequest.lastPosition(slots[i], prompts[i].length + step,
                                new int[] {outputs[i][step]}));
                    }
                }
                for (int i = 0; i < n; i++) {
                    cache.release(slots[i]);
                    long id = firstId + start + i;
                    records.add(new TrainingRecord(id, domain + "-" + seed + "-" + id, System.currentTimeMillis(),
                            domain, prompts[i], outputs[i], logged.get(i)));
                }
            }
        }
        return records;
    }

    private static int sampleToken(float[] logits, SplittableRandom random) {
        double max = Double.NEGATIVE_INFINITY;
        for (float logit : logits) {
            max = Math.max(max, logit);
        }
        double[] weights = new double[logits.length];
        double total = 0;
        for (int i = 0; i < logits.length; i++) {
            weights[i] = Math.exp(logits[i] - max);
            total += weights[i];
        }
        double u = random.nextDouble() * total;
        for (int i = 0; i < logits.length; i++) {
            u -= weights[i];
            if (u <= 0) {
                return i;
            }
        }
        return logits.length - 1;
    }
}
