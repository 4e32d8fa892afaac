package dev.specd.trainer.pretrain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import java.util.Collection;

/** Clipping by the global L2 norm, as torch.nn.utils.clip_grad_norm_ does. */
final class GradientClipping {

    private GradientClipping() {}

    /** √(Σ over every tensor of Σ g²), read back to the host once. */
    static double globalNorm(Collection<NDArray> gradients) {
        NDArray[] squares = gradients.stream().map(g -> g.square().sum()).toArray(NDArray[]::new);
        return Math.sqrt(NDArrays.stack(new ai.djl.ndarray.NDList(squares)).sum().getFloat());
    }

    /** The factor gradients are multiplied by so that their global norm is at most {@code maxNorm}. */
    static double scale(double norm, double maxNorm) {
        return norm > maxNorm ? maxNorm / (norm + 1e-6) : 1.0;
    }
}
