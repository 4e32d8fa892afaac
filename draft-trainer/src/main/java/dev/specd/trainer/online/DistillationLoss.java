package dev.specd.trainer.online;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Differentiable divergences between the target's logged distribution p and the draft's q, both
 * on the same k+1 buckets: the k logged token ids, and everything else as one tail bucket. q is the
 * draft's full-vocabulary softmax projected onto them (its probabilities of the k ids, tail = 1 − their
 * sum), so a draft that puts mass on the wrong tokens pays for it through the tail.
 *
 * <p>Every array here comes from the logits' manager: run it inside the training step's NDScope.
 */
public final class DistillationLoss {

    /** Floor of probabilities inside logarithms: 0·log 0 counts as 0, an emptied tail stays finite. */
    static final float EPSILON = 1e-8f;

    public enum Divergence {
        FORWARD_KL,
        REVERSE_KL,
        JSD,
        TVD
    }

    /** p and q on the buckets with their logarithms, each [B, T, K+1]. */
    record Buckets(NDArray p, NDArray logP, NDArray q, NDArray logQ) {}

    private final LossConfig config;

    public DistillationLoss(LossConfig config) {
        this.config = config;
    }

    public LossConfig config() {
        return config;
    }

    /**
     * The weighted mean divergence over the batch's generated positions: a scalar that carries
     * gradients to the draft.
     *
     * @param logits the draft's logits [B, T, V] over the batch's tokens
     */
    NDArray loss(NDArray logits, DistillationBatch batch) {
        Buckets buckets = project(logits, batch);
        NDArray perPosition = null; // [B, T]
        double[] weights = {config.forwardKlWeight(), config.reverseKlWeight(), config.jsdWeight(), config.tvdWeight()};
        for (Divergence divergence : Divergence.values()) {
            double weight = weights[divergence.ordinal()];
            if (weight > 0) {
                NDArray term = divergence(divergence, buckets, config.jsdBeta()).mul(weight);
                perPosition = perPosition == null ? term : perPosition.add(term);
            }
        }
        NDArray positionWeights = positionWeights(logits, batch);
        return perPosition.mul(positionWeights).sum().div(positionWeights.sum().maximum(EPSILON));
    }

    /** p and the draft's q on the batch's buckets. */
    static Buckets project(NDArray logits, DistillationBatch batch) {
        NDManager manager = logits.getManager();
        Shape topK = new Shape(batch.size, batch.length, batch.k);
        NDArray idMask = manager.create(batch.idMask, topK);
        NDArray logQTop = logits.logSoftmax(-1).gather(manager.create(batch.ids, topK), -1); // [B, T, K]
        NDArray qTop = logQTop.exp().mul(idMask); // padding buckets hold 0
        NDArray qTail = qTop.sum(new int[] {2}, true).neg().add(1).maximum(EPSILON); // [B, T, 1]
        NDArray p = manager.create(batch.target, new Shape(batch.size, batch.length, batch.k + 1));
        return new Buckets(p, p.maximum(EPSILON).log(), qTop.concat(qTail, 2), logQTop.concat(qTail.log(), 2));
    }

    /** One divergence at every position, [B, T]; positions outside the batch's mask are weighted 0 by the caller. */
    static NDArray divergence(Divergence divergence, Buckets b, double beta) {
        return switch (divergence) {
            case FORWARD_KL -> b.p().mul(b.logP().sub(b.logQ())).sum(new int[] {2});
            case REVERSE_KL -> b.q().mul(b.logQ().sub(b.logP())).sum(new int[] {2});
            case JSD -> {
                NDArray logMix = b.p().mul(beta).add(b.q().mul(1 - beta)).maximum(EPSILON).log();
                yield b.p().mul(b.logP().sub(logMix)).sum(new int[] {2}).mul(beta)
                        .add(b.q().mul(b.logQ().sub(logMix)).sum(new int[] {2}).mul(1 - beta));
            }
            case TVD -> b.p().sub(b.q()).abs().sum(new int[] {2}).mul(0.5);
        };
    }

    /** Σ_x min(p(x), q(x)) over the buckets at every position, [B, T]: 1 − TVD. */
    static NDArray expectedAcceptance(Buckets b) {
        return b.p().minimum(b.q()).sum(new int[] {2});
    }

    /** 1 where the draft's argmax is the target's top-1, [B, T]. */
    static NDArray greedyMatch(NDArray logits, DistillationBatch batch) {
        NDArray top1 = logits.getManager().create(batch.top1, new Shape(batch.size, batch.length));
        return logits.argMax(-1).eq(top1).toType(DataType.FLOAT32, false);
    }

    /** [B, T]: 0 off the generated positions; 1, or {@code mistakeWeight} where the draft is wrong. */
    private NDArray positionWeights(NDArray logits, DistillationBatch batch) {
        NDArray mask = logits.getManager().create(batch.mask, new Shape(batch.size, batch.length));
        if (config.positions() == LossConfig.PositionWeighting.ALL) {
            return mask;
        }
        NDArray wrong = greedyMatch(logits, batch).neg().add(1);
        return mask.mul(wrong.mul(config.mistakeWeight() - 1).add(1));
    }
}
