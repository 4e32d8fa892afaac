package dev.specd.trainer.online;

/**
 * What one training step did.
 *
 * @param step the update count after this step
 * @param loss the distillation loss before the update (NaN when there was nothing to learn from)
 * @param gradNorm global L2 norm of the gradients before clipping
 * @param positions generated positions in the batch
 * @param applied whether the parameters changed: false for an empty batch or a non-finite loss or gradient
 */
public record StepResult(long step, double loss, double gradNorm, int positions, boolean applied) {}
