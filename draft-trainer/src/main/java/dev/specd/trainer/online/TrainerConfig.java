package dev.specd.trainer.online;

/**
 * How the candidate draft is fine-tuned.
 *
 * @param learningRate AdamW's peak rate: a fine-tuning rate, small next to pretraining's
 * @param warmupSteps the rate rises linearly from 0 over these steps, so the first updates, made
 *     with Adam's moment estimates still empty, stay small
 * @param weightDecay AdamW's decoupled weight decay; 0 keeps the draft near its pretrained weights
 * @param maxGradNorm gradients are scaled down to this global L2 norm when above it
 * @param batchSize records per step
 * @param maxSequenceLength tokens per record read by the draft (further capped by its context)
 * @param loss the distillation objective
 */
public record TrainerConfig(double learningRate, int warmupSteps, double weightDecay, double maxGradNorm,
        int batchSize, int maxSequenceLength, LossConfig loss) {

    public TrainerConfig {
        if (!(learningRate >= 0) || warmupSteps < 0 || weightDecay < 0 || !(maxGradNorm > 0)) {
            throw new IllegalArgumentException("learningRate, warmupSteps, weightDecay >= 0 and maxGradNorm > 0 required");
        }
        if (batchSize < 1 || maxSequenceLength < 2) {
            throw new IllegalArgumentException("batchSize >= 1 and maxSequenceLength >= 2 required");
        }
    }

    /** AdamW at 2e-4 after 100 warm-up steps, no weight decay, clipped at norm 1, 8 records of ≤ 512 tokens, forward KL. */
    public static TrainerConfig defaults() {
        return new TrainerConfig(2e-4, 100, 0.0, 1.0, 8, 512, LossConfig.forwardKl());
    }

    public TrainerConfig withLearningRate(double learningRate, int warmupSteps) {
        return new TrainerConfig(learningRate, warmupSteps, weightDecay, maxGradNorm, batchSize, maxSequenceLength, loss);
    }

    public TrainerConfig withBatch(int batchSize, int maxSequenceLength) {
        return new TrainerConfig(learningRate, warmupSteps, weightDecay, maxGradNorm, batchSize, maxSequenceLength, loss);
    }

    public TrainerConfig withLoss(LossConfig loss) {
        return new TrainerConfig(learningRate, warmupSteps, weightDecay, maxGradNorm, batchSize, maxSequenceLength, loss);
    }

    /** The learning rate of update {@code step} (1-based): linear warm-up, then constant. */
    public float learningRateAt(int step) {
        double warmup = warmupSteps == 0 ? 1 : Math.min(1.0, (double) step / warmupSteps);
        return (float) (learningRate * warmup);
    }
}
