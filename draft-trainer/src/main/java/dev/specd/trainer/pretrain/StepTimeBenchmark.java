package dev.specd.trainer.pretrain;

import dev.specd.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Measures training speed (ms per optimizer step, tokens per second) of an architecture on random
 * tokens, to size the default models for a time budget. Run from the repository root:
 *
 * <pre>
 * mvn -q -pl draft-trainer -am package -DskipTests
 * java -cp "draft-trainer/target/classes:model/target/classes:$(cat cp.txt)" \
 *     dev.specd.trainer.pretrain.StepTimeBenchmark VOCAB HIDDEN FFN LAYERS HEADS KV_HEADS BATCH SEQ_LEN STEPS
 * </pre>
 *
 * where cp.txt comes from {@code mvn -q -pl draft-trainer dependency:build-classpath -Dmdep.outputFile=cp.txt}.
 */
public final class StepTimeBenchmark {

    public record Measurement(long parameters, int batchSize, int sequenceLength, double millisPerStep,
            double tokensPerSecond) {}

    private StepTimeBenchmark() {}

    public static void main(String[] args) throws IOException {
        int[] a = java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        Architecture architecture = new Architecture(a[1], a[2], a[3], a[4], a[5], a[7], true);
        Measurement m = measure(architecture.config(a[0], 0), a[6], a[7], a[8]);
        System.out.printf(Locale.ROOT, "params %,d  batch %d x %d  %.0f ms/step  %,.0f tok/s%n",
                m.parameters(), m.batchSize(), m.sequenceLength(), m.millisPerStep(), m.tokensPerSecond());
    }

    /** Trains {@code steps} steps (the first is not timed) on uniformly random tokens. */
    public static Measurement measure(ModelConfig config, int batchSize, int sequenceLength, int steps)
            throws IOException {
        if (steps < 2) {
            throw new IllegalArgumentException("time at least 2 steps, the first being warm-up");
        }
        SplittableRandom random = new SplittableRandom(1);
        int[] tokens = random.ints(1 << 16, 0, config.vocabSize()).toArray();
        TokenizedDomain noise = new TokenizedDomain("random", tokens, tokens, new int[] {0}, 0, 0);
        TokenStream stream = new TokenStream(List.of(noise), Map.of("random", 1.0), 1);
        TrainingPlan plan = new TrainingPlan(steps, batchSize, sequenceLength, 1e-3, 1e-4, 1, 0.1, 1.0,
                Map.of("random", 1.0), Integer.MAX_VALUE, 1);
        Path runDir = Files.createTempDirectory("step-time");
        long[] started = new long[1];
        Pretrainer.train("bench", config, plan, stream, runDir, null, progress -> {
            if (progress.step() == 1) {
                started[0] = System.nanoTime();
            }
        });
        double millis = (System.nanoTime() - started[0]) / 1e6 / (steps - 1);
        PairTraining.deleteRecursively(runDir);
        return new Measurement(config.parameterCount(), batchSize, sequenceLength, millis,
                batchSize * sequenceLength * 1000.0 / millis);
    }
}
