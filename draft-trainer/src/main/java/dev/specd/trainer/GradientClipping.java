package dev.specd.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import java.util.Collection;

/** Clipping by the global L2 norm, as torch.nn.utils.clip_grad_norm_ does. */
public final class GradientClipping {

    private GradientClipping() {}

    /** √(Σ over every tensor of Σ g²), read back to the host once. */
    public static double globalNorm(Collection<NDArray> gradients) {
        NDArray[] squares = gradients.stream().map(g -> g.square().sum()).toArray(NDArray[]::new);
        return Math.sqrt(NDArrays.stack(new NDList(squares)).sum().getFloat());
    }

    /** The factor gradients are multiplied by so that their global norm is at most {@code maxNorm}. */
    public static double scale(double norm, double maxNorm) {
        return norm > maxNorm ? maxNorm / (norm + 1e-6) : 1.0;
    }
}
