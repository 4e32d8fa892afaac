package dev.specd.trainer.pretrain;

import ai.djl.ndarray.NDArray;

/** Next-token cross-entropy, the pretraining loss. */
final class CrossEntropy {

    private CrossEntropy() {}

    /** logits [B, T, V] float32, targets [B, T] int64 → the mean over all B·T positions of −log p(target), a scalar. */
    static NDArray mean(NDArray logits, NDArray targets) {
        return perPosition(logits, targets).mean();
    }

    /** [B, T]: −log p(target) at every position. */
    static NDArray perPosition(NDArray logits, NDArray targets) {
        NDArray logProbabilities = logits.logSoftmax(-1); // [B, T, V]
        return logProbabilities.gather(targets.expandDims(-1), -1).squeeze(-1).neg();
    }
}
