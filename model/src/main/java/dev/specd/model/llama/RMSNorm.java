package dev.specd.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** x / sqrt(mean(x²) + eps) · weight, with the statistic in float32 as Hugging Face computes it. */
final class RMSNorm {

    private final NDArray weight; // [d]
    private final float eps;

    RMSNorm(NDArray weight, double eps) {
        this.weight = weight;
        this.eps = (float) eps;
    }

    /** [..., d] → [..., d] in x's dtype. */
    NDArray apply(NDArray x) {
        NDArray wide = x.getDataType() == DataType.FLOAT32 ? x : x.toType(DataType.FLOAT32, false);
        NDArray inverseRms = wide.square().mean(new int[] {-1}, true).add(eps).pow(-0.5f);
        return wide.mul(inverseRms).toType(x.getDataType(), false).mul(weight);
    }
}
