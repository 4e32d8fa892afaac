package dev.specd.trainer.online;

/**
 * The distillation objective: a weighted sum of divergences between the target's distribution p
 * and the draft's q on the k+1 logged buckets, averaged over positions with optional weights.
 * DistillSpec (Zhou et al. 2023) finds the best divergence depends on the task and sampling, so
 * all four are offered; forward KL, the usual distillation loss, is the default.
 *
 * @param forwardKlWeight weight of KL(p‖q), mass-covering
 * @param reverseKlWeight weight of KL(q‖p), mode-seeking
 * @param jsdWeight weight of JSD(β) = β·KL(p‖m) + (1−β)·KL(q‖m), m = β·p + (1−β)·q
 * @param jsdBeta β of the JSD term, in (0, 1)
 * @param tvdWeight weight of the total variation distance ½·Σ|p − q| = 1 − expected acceptance
 * @param positions which generated positions count, and how much
 * @param mistakeWeight with {@link PositionWeighting#MISTAKES}, the weight of a position where the
 *     draft's argmax differs from the target's top-1 (others weigh 1); Online Speculative Decoding
 *     (Liu et al. 2023) learns from exactly the tokens the draft got wrong
 */
public record LossConfig(double forwardKlWeight, double reverseKlWeight, double jsdWeight, double jsdBeta,
        double tvdWeight, PositionWeighting positions, double mistakeWeight) {

    public enum PositionWeighting {
        /** Every generated position weighs 1. */
        ALL,
        /** Positions the draft gets wrong (argmax ≠ target top-1) weigh {@code mistakeWeight}. */
        MISTAKES
    }

    public LossConfig {
        if (forwardKlWeight < 0 || reverseKlWeight < 0 || jsdWeight < 0 || tvdWeight < 0
                || forwardKlWeight + reverseKlWeight + jsdWeight + tvdWeight <= 0) {
            throw new IllegalArgumentException("divergence weights must be >= 0 and not all zero");
        }
        if (!(jsdBeta > 0 && jsdBeta < 1)) {
            throw new IllegalArgumentException("jsdBeta must be in (0, 1), got " + jsdBeta);
        }
        if (mistakeWeight < 0) {
            throw new IllegalArgumentException("mistakeWeight must be >= 0, got " + mistakeWeight);
        }
    }

    public static LossConfig forwardKl() {
        return new LossConfig(1, 0, 0, 0.5, 0, PositionWeighting.ALL, 1);
    }

    public static LossConfig reverseKl() {
        return new LossConfig(0, 1, 0, 0.5, 0, PositionWeighting.ALL, 1);
    }

    public static LossConfig jsd(double beta) {
        return new LossConfig(0, 0, 1, beta, 0, PositionWeighting.ALL, 1);
    }

    public static LossConfig tvd() {
        return new LossConfig(0, 0, 0, 0.5, 1, PositionWeighting.ALL, 1);
    }

    /** The same divergences, with positions the draft gets wrong weighing {@code weight}. */
    public LossConfig upweightMistakes(double weight) {
        return new LossConfig(forwardKlWeight, reverseKlWeight, jsdWeight, jsdBeta, tvdWeight,
                PositionWeighting.MISTAKES, weight);
    }
}
