package dev.specd.trainer.pretrain;

import java.util.Map;
import java.util.TreeMap;

/**
 * How one model is trained.
 *
 * @param steps optimizer steps (fewer when a time budget cuts the plan, see {@link Pretrainer})
 * @param batchSize windows per step
 * @param sequenceLength tokens per window that are predicted (each window holds one more)
 * @param peakLearningRate reached at the end of warm-up
 * @param minLearningRate reached at the last step, after cosine decay
 * @param weightDecay AdamW's decoupled decay, applied to matrices and embeddings only
 * @param maxGradientNorm the global L2 norm gradients are clipped to
 * @param domainWeights the share of windows drawn from each domain (normalised; domains left out
 *     are not trained on)
 * @param checkpointEvery steps between checkpoints in the work directory
 * @param seed initial weights and the order of batches
 */
public record TrainingPlan(int steps, int batchSize, int sequenceLength, double peakLearningRate,
        double minLearningRate, int warmupSteps, double weightDecay, double maxGradientNorm,
        Map<String, Double> domainWeights, int checkpointEvery, long seed) {

    public TrainingPlan {
        domainWeights = Map.copyOf(new TreeMap<>(domainWeights));
        if (steps < 1 || batchSize < 1 || sequenceLength < 1 || checkpointEvery < 1 || warmupSteps < 0) {
            throw new IllegalArgumentException("steps, batch size, sequence length and checkpoint interval must be positive: " + this);
        }
        if (domainWeights.isEmpty() || domainWeights.values().stream().anyMatch(w -> !(w >= 0))
                || domainWeights.values().stream().mapToDouble(Double::doubleValue).sum() <= 0) {
            throw new IllegalArgumentException("domain weights must be non-negative with a positive sum: " + domainWeights);
        }
    }

    public LearningRateSchedule schedule(int totalSteps) {
        return new LearningRateSchedule(peakLearningRate, minLearningRate, Math.min(warmupSteps, totalSteps), totalSteps);
    }

    public TrainingPlan withSteps(int newSteps) {
        return new TrainingPlan(newSteps, batchSize, sequenceLength, peakLearningRate, minLearningRate, warmupSteps,
                weightDecay, maxGradientNorm, domainWeights, checkpointEvery, seed);
    }

    /** Tokens predicted per step. */
    public long tokensPerStep() {
        return (long) batchSize * sequenceLength;
    }
}
