package dev.specd.model.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.specd.model.Backend;
import dev.specd.model.CausalLM;
import dev.specd.model.KVCache;
import dev.specd.model.ModelConfig;
import dev.specd.model.ScoreRequest;
import dev.specd.model.cpu.CpuTransformer;
import dev.specd.model.llama.LlamaWeights;
import dev.specd.model.safetensors.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Forward-pass speed of one model on one backend: prefill, batch-1 and batch-4 decode, the cost of
 * scoring γ+1 = 5 positions relative to 1 (what verification costs), and batch-1 decode against the
 * memory bandwidth bound (weight bytes read per token ÷ measured memory bandwidth). Times are
 * medians of the steady state (see {@link #WARMUP}). Weight bytes are what the backend
 * holds: float32 or float16 for DJL, the checkpoint's precision (bfloat16 for the default pair) for
 * the java backend.
 */
public final class ModelBenchmark {

    /** A target-sized model, shaped like the default target (about 17 M parameters). */
    public static final ModelConfig TARGET_SIZED = ModelConfig.llama(8192, 384, 1024, 6, 6, 2, 1024, true, 0, 0);
    /** A draft-sized model of about 1 M parameters. */
    public static final ModelConfig DRAFT_SIZED = ModelConfig.llama(8192, 96, 256, 2, 3, 1, 1024, true, 0, 0);

    private static final int PREFILL_TOKENS = 256;
    private static final int CONTEXT_BEFORE_DECODE = 128;
    private static final int VERIFY_POSITIONS = 5;
    /**
     * Each measurement first runs its action for this long, so that what it times is the steady
     * state: C2 recompiles the java backend's kernels when a new model's shapes reach a branch the
     * previous model's profile never took, and twenty warm-up steps of a 0.05 ms draft step timed
     * that recompilation (0.36 ms) instead.
     */
    private static final Duration WARMUP = Duration.ofSeconds(1);

    public record Result(
            String model,
            String backend,
            long parameters,
            String dtype,
            double prefillTokensPerSecond,
            double decodeMillisBatch1,
            double decodeTokensPerSecondBatch1,
            double decodeTokensPerSecondBatch4,
            double verify5Millis,
            double verify5OverDecode1,
            double weightBytesPerToken,
            double memoryBandwidthGBps,
            double fractionOfBandwidthBound) {}

    private final int iterations;
    private final Device device;

    public ModelBenchmark(int iterations, Device device) {
        if (iterations <= 0) {
            throw new IllegalArgumentException("iterations must be positive, got " + iterations);
        }
        this.iterations = iterations;
        this.device = device;
    }

    /** Benchmarks a model of this configuration with random weights (written to a temporary directory). */
    public Result runRandom(String name, ModelConfig config, Backend backend, DataType computeType,
            double memoryBandwidthGBps) throws IOException {
        Path dir = Files.createTempDirectory("specd-bench-");
        try {
            LlamaWeights.write(dir, config, LlamaWeights.initialise(config, 1, LlamaWeights.INIT_STD), DType.F32);
            return run(name, dir, backend, computeType, memoryBandwidthGBps);
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    public Result run(String name, Path modelDir, Backend backend, DataType computeType, double memoryBandwidthGBps)
            throws IOException {
        try (CausalLM model = backend.load(modelDir, device, computeType);
                KVCache cache = model.newCache(4, PREFILL_TOKENS + CONTEXT_BEFORE_DECODE, Long.MAX_VALUE)) {
            ModelConfig config = model.config();
            SplittableRandom random = new SplittableRandom(1);
            int[] slots = new int[4];
            for (int i = 0; i < slots.length; i++) {
                slots[i] = cache.acquire().orElseThrow();
            }
            int[] prompt = randomTokens(random, config, PREFILL_TOKENS);
            double prefillMillis = medianMillis(WARMUP, Math.max(3, iterations / 10), () -> {
                cache.rollback(slots[0], 0);
                model.score(cache, List.of(ScoreRequest.lastPosition(slots[0], 0, prompt)));
            });
            for (int slot : slots) {
                cache.rollback(slot, 0);
                model.score(cache, List.of(ScoreRequest.lastPosition(slot, 0,
                        randomTokens(random, config, CONTEXT_BEFORE_DECODE))));
            }
            double decode1 = medianMillis(WARMUP, iterations, () -> step(model, cache, slots, 1, 1, random));
            double decode4 = medianMillis(WARMUP, iterations, () -> step(model, cache, slots, 4, 1, random));
            double verify5 = medianMillis(WARMUP, iterations,
                    () -> step(model, cache, slots, 1, VERIFY_POSITIONS, random));
            double weightBytes = model instanceof CpuTransformer cpu
                    ? cpu.weightBytesPerToken()
                    : (double) config.parameterCount() * computeType.getNumOfBytes();
            double boundMillis = weightBytes / (memoryBandwidthGBps * 1e9) * 1e3;
            return new Result(name, backend.option(), config.parameterCount(), computeType.toString().toLowerCase(),
                    PREFILL_TOKENS / prefillMillis * 1e3, decode1, 1e3 / decode1, 4e3 / decode4,
                    verify5, verify5 / decode1, weightBytes, memoryBandwidthGBps, boundMillis / decode1);
        }
    }

    /** Scores {@code positions} new tokens on each of the first {@code batch} slots, then rolls them back. */
    private static void step(CausalLM model, KVCache cache, int[] slots, int batch, int positions, SplittableRandom random) {
        List<ScoreRequest> requests = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            int length = cache.length(slots[i]);
            requests.add(ScoreRequest.allPositions(slots[i], length, randomTokens(random, model.config(), positions)));
        }
        model.score(cache, requests);
        for (ScoreRequest request : requests) {
            cache.rollback(request.slot(), request.startPosition());
        }
    }

    /**
     * Memory bandwidth as batch-1 decode sees it, in GB/s: a matrix-vector product over a 256 MiB
     * float32 matrix reads every byte once and does too little arithmetic to be compute-bound.
     */
    public double memoryBandwidthGBps() {
        int side = 8192;
        try (NDManager manager = NDManager.newBaseManager(device, "PyTorch");
                NDArray matrix = manager.ones(new Shape(side, side), DataType.FLOAT32);
                NDArray vector = manager.ones(new Shape(side, 1), DataType.FLOAT32)) {
            double millis = medianMillis(WARMUP, 20, () -> matrix.matMul(vector).close());
            return (double) side * side * Float.BYTES / (millis * 1e-3) / 1e9;
        }
    }

    /** The median of {@code iterations} timed runs of {@code action}, in milliseconds, after {@code warmup} of runs. */
    public static double medianMillis(Duration warmup, int iterations, Runnable action) {
        long warmupEnd = System.nanoTime() + warmup.toNanos();
        while (System.nanoTime() < warmupEnd) {
            action.run();
        }
        double[] millis = new double[iterations];
        for (int i = 0; i < iterations; i++) {
            long start = System.nanoTime();
            action.run();
            millis[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(millis);
        return millis[iterations / 2];
    }

    private static int[] randomTokens(SplittableRandom random, ModelConfig config, int count) {
        int[] tokens = new int[count];
        for (int i = 0; i < count; i++) {
            tokens[i] = random.nextInt(config.vocabSize());
        }
        return tokens;
    }
}
