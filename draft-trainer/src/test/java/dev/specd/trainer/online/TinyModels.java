package dev.specd.trainer.online;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.specd.model.KVCache;
import dev.specd.model.ModelConfig;
import dev.specd.model.ScoreRequest;
import dev.specd.model.llama.LlamaWeights;
import dev.specd.model.llama.Transformer;
import dev.specd.model.safetensors.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.SplittableRandom;

/**
 * A tiny random target and a different tiny random draft over one 48-token vocabulary, and traffic
 * sampled from the target the way serving would log it.
 */
final class TinyModels {

    static final int VOCAB = 48;
    static final int TOP_K = 8;
    /** Far above the training initialisation, so the target's distributions are peaked, not uniform. */
    static final double STD = 0.5;

    private TinyModels() {}

    /** 2 layers, d 32, 4 query heads over 2 KV heads. */
    static ModelConfig target() {
        return ModelConfig.llama(VOCAB, 32, 64, 2, 4, 2, 64, false, 0, 1);
    }

    /** 1 layer, d 32: smaller and differently initialised. */
    static ModelConfig draft() {
        return ModelConfig.llama(VOCAB, 32, 64, 1, 4, 2, 64, false, 0, 1);
    }

    static Path write(Path dir, ModelConfig config, long seed) throws IOException {
        LlamaWeights.write(dir, config, LlamaWeights.initialise(config, seed, STD), DType.F32);
        Files.writeString(dir.resolve("tokenizer.json"), "{\"tiny\": true}");
        return dir;
    }

    /**
     * {@code count} requests of one domain: a prompt of 4–8 tokens from the domain's slice of the
     * vocabulary, then {@code outputLength} tokens sampled from the target at temperature 1, each
     * logged with the target's top-k log-probabilities of its raw logits.
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
                List<List<TargetDistribution>> logged = new ArrayList<>();
                List<ScoreRequest> requests = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    OptionalInt slot = cache.acquire();
                    slots[i] = slot.orElseThrow();
                    prompts[i] = random.ints(4 + random.nextInt(5), firstToken, lastToken).toArray();
                    logged.add(new ArrayList<>());
                    requests.add(ScoreRequest.lastPosition(slots[i], 0, prompts[i]));
                }
                for (int step = 0; step < outputLength; step++) {
                    List<float[][]> logits = target.score(cache, requests);
                    requests = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        float[] row = logits.get(i)[0];
                        logged.get(i).add(TargetDistribution.fromLogits(row, TOP_K));
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

    static Transformer load(Path dir) throws IOException {
        return Transformer.load(dir, Device.cpu(), DataType.FLOAT32);
    }
}
