package dev.specd.trainer.pretrain;

/**
 * Linear warm-up from peak/warmup to the peak over the first {@code warmupSteps} steps, then a
 * cosine decay to {@code minimum} at the last step (nanoGPT's schedule). Steps count from 0.
 */
public record LearningRateSchedule(double peak, double minimum, int warmupSteps, int totalSteps) {

    public LearningRateSchedule {
        if (!(peak > 0) || minimum < 0 || minimum > peak || warmupSteps < 0 || totalSteps < 1) {
            throw new IllegalArgumentException("invalid learning-rate schedule " + this);
        }
    }

    public double at(int step) {
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        int decaySteps = totalSteps - 1 - warmupSteps;
        if (decaySteps <= 0) {
            return peak;
        }
        double progress = Math.min(1.0, (double) (step - warmupSteps) / decaySteps);
        return minimum + 0.5 * (1 + Math.cos(Math.PI * progress)) * (peak - minimum);
    }
}
