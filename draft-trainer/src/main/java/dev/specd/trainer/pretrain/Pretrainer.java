package dev.specd.trainer.pretrain;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.specd.model.ModelConfig;
import dev.specd.model.llama.LlamaWeights;
import dev.specd.model.llama.Transformer;
import dev.specd.trainer.AdamW;
import dev.specd.trainer.GradientClipping;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Trains one decoder from scratch on a {@link TokenStream}: next-token cross-entropy, gradients
 * clipped by global norm, AdamW, linear warm-up then cosine decay. Checkpoints go to
 * {@code runDir} every {@link TrainingPlan#checkpointEvery()} steps; a run that finds one there
 * continues from it and ends with bit-identical weights to a run that was never interrupted.
 *
 * <p>Single-threaded by design: DJL allows one GradientCollector per process. Every step runs in
 * an {@link NDScope}, so native memory stays flat: only the parameters and the moments live across steps.
 */
public final class Pretrainer {

    /** Steps of a session timed (after its first) before a time budget fixes the step total. */
    static final int TIMED_STEPS = 4;

    /** Consecutive steps with a non-finite loss or gradient skipped before training is declared diverged. */
    static final int MAX_NON_FINITE_IN_A_ROW = 3;
    private static final double LOSS_SMOOTHING = 0.02;

    /** Told after every step; {@link ProgressBar} is one. Throwing aborts training like a crash would. */
    public interface Listener {
        void onStep(Progress progress);
    }

    /**
     * @param step steps completed
     * @param loss this step's mean cross-entropy (nats per token)
     * @param lossAverage exponentially weighted average of the loss
     * @param tokensPerSecond over this session's steps
     */
    public record Progress(String model, int step, int totalSteps, double loss, double lossAverage, long tokensSeen,
            double tokensPerSecond, Duration remaining) {}

    /**
     * @param steps steps trained (the plan's, or fewer when the time budget cut it)
     * @param trainingTime time spent in steps, over every session of the run
     */
    public record Result(ModelConfig config, SortedMap<String, float[]> weights, int steps, long tokensSeen,
            Duration trainingTime, double finalLoss) {}

    private Pretrainer() {}

    /**
     * Trains (or resumes training of) one model.
     *
     * @param budget the most time this session may spend training; when the remaining steps would
     *     take longer, the step total is cut (once per run, after timing a few steps) so that the
     *     cosine schedule still ends at the last step. {@code null}: no limit
     */
    public static Result train(String name, ModelConfig config, TrainingPlan plan, TokenStream data, Path runDir,
            Duration budget, Listener listener) throws IOException {
        if (plan.sequenceLength() > config.contextLength()) {
            throw new IllegalArgumentException(name + ": sequence length " + plan.sequenceLength()
                    + " exceeds the context length " + config.contextLength());
        }
        String identity = config.toJson().toString() + " " + plan;
        NDManager manager = NDManager.newBaseManager("PyTorch");
        Optional<Checkpoint> resumed;
        Map<String, NDArray> parameters = new TreeMap<>(); // sorted: the gradient norm sums in a fixed order
        Map<String, NDArray> first = new TreeMap<>();
        Map<String, NDArray> second = new TreeMap<>();
        try {
            resumed = Checkpoint.read(runDir, identity, manager);
            if (resumed.isPresent()) {
                parameters.putAll(resumed.get().parameters());
                first.putAll(resumed.get().firstMoments());
                second.putAll(resumed.get().secondMoments());
            } else {
                Map<String, long[]> shapes = LlamaWeights.shapes(config);
                LlamaWeights.initialise(config, plan.seed(), LlamaWeights.INIT_STD).forEach((tensor, values) -> {
                    Shape shape = new Shape(shapes.get(tensor));
                    parameters.put(tensor, manager.create(values, shape));
                    first.put(tensor, manager.zeros(shape, DataType.FLOAT32));
                    second.put(tensor, manager.zeros(shape, DataType.FLOAT32));
                });
            }
            parameters.values().forEach(p -> p.setRequiresGradient(true));
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
        AdamW optimizer = new AdamW(AdamW.Hyperparameters.DEFAULT.withWeightDecay(plan.weightDecay()),
                AdamW.matrices(parameters), first, second);

        try (Transformer model = Transformer.fromWeights(config, manager, DataType.FLOAT32, parameters)) {
            int step = resumed.map(Checkpoint::step).orElse(0);
            int totalSteps = resumed.map(Checkpoint::totalSteps).orElse(plan.steps());
            boolean fitted = budget == null || totalSteps != plan.steps() || step > TIMED_STEPS;
            long tokensSeen = resumed.map(Checkpoint::tokensSeen).orElse(0L);
            Duration before = resumed.map(Checkpoint::trainingTime).orElse(Duration.ZERO);
            double lossAverage = resumed.map(Checkpoint::lossAverage).orElse(Double.NaN);
            long sessionStart = System.nanoTime();
            long timedFrom = 0;
            int sessionSteps = 0;
            int nonFiniteInARow = 0;
            while (step < totalSteps) {
                LearningRateSchedule schedule = plan.schedule(totalSteps);
                double loss = trainStep(model, manager, parameters, optimizer, data.batch(step, plan.batchSize(),
                        plan.sequenceLength()), step + 1, schedule.at(step), plan.maxGradientNorm());
                if (!Double.isFinite(loss)) {
                    // One bad batch is skipped (its gradients were zeroed, the weights untouched);
                    // several in a row mean training diverged.
                    if (++nonFiniteInARow > MAX_NON_FINITE_IN_A_ROW) {
                        throw new IllegalStateException(name + ": loss became " + loss + " at step " + step
                                + "; lower the learning rate (the last checkpoint is left as it was)");
                    }
                    System.err.printf("%s: step %d skipped: non-finite loss or gradient%n", name, step);
                    step++;
                    continue;
                }
                nonFiniteInARow = 0;
                step++;
                sessionSteps++;
                tokensSeen += plan.tokensPerStep();
                lossAverage = Double.isNaN(lossAverage) ? loss : (1 - LOSS_SMOOTHING) * lossAverage + LOSS_SMOOTHING * loss;
                long now = System.nanoTime();
                if (sessionSteps == 1) {
                    timedFrom = now; // the first step of a session pays for warm-up; time the ones after
                }
                Duration spent = before.plus(Duration.ofNanos(now - sessionStart));
                if (!fitted && sessionSteps == TIMED_STEPS + 1) {
                    double perStep = (double) (now - timedFrom) / TIMED_STEPS;
                    long affordable = (long) ((budget.toNanos() - (now - sessionStart)) / perStep);
                    totalSteps = (int) Math.max(step, Math.min(totalSteps, step + affordable));
                    fitted = true;
                }
                double perStep = sessionSteps > 1 ? (double) (now - timedFrom) / (sessionSteps - 1) : now - sessionStart;
                Duration remaining = Duration.ofNanos((long) (perStep * (totalSteps - step)));
                double tokensPerSecond = plan.tokensPerStep() * 1e9 / perStep;
                if (step % plan.checkpointEvery() == 0 || step == totalSteps) {
                    new Checkpoint(identity, step, totalSteps, tokensSeen, spent, lossAverage, parameters,
                            optimizer.firstMoments(), optimizer.secondMoments()).write(runDir);
                }
                listener.onStep(new Progress(name, step, totalSteps, loss, lossAverage, tokensSeen, tokensPerSecond,
                        remaining));
            }
            Duration trainingTime = before.plus(Duration.ofNanos(System.nanoTime() - sessionStart));
            return new Result(config, toFloats(parameters), step, tokensSeen, trainingTime, lossAverage);
        }
    }

    /** One optimizer step on one batch; returns the batch's mean loss. */
    private static double trainStep(Transformer model, NDManager manager, Map<String, NDArray> parameters,
            AdamW optimizer, TokenStream.Batch batch, int t, double learningRate, double maxGradientNorm) {
        try (NDScope ignored = new NDScope()) {
            NDArray tokens = manager.create(batch.tokens(), new Shape(batch.batchSize(), batch.sequenceLength() + 1));
            NDArray inputs = tokens.get(":, :-1"); // [B, T]
            NDArray targets = tokens.get(":, 1:"); // [B, T]
            double loss;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray mean = CrossEntropy.mean(model.logits(inputs), targets);
                collector.backward(mean);
                loss = mean.getFloat();
            }
            double norm = GradientClipping.globalNorm(parameters.values().stream().map(NDArray::getGradient).toList());
            if (!Double.isFinite(norm)) {
                AdamW.zeroGradients(parameters.values()); // else they would add into the next step's
                return norm;
            }
            optimizer.step(parameters, t, learningRate, GradientClipping.scale(norm, maxGradientNorm));
            return loss;
        }
    }

    private static SortedMap<String, float[]> toFloats(Map<String, NDArray> parameters) {
        SortedMap<String, float[]> weights = new TreeMap<>();
        parameters.forEach((name, array) -> weights.put(name, array.toFloatArray()));
        return weights;
    }
}
