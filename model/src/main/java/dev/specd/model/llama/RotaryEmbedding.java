package dev.specd.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.specd.model.ModelConfig;
import dev.specd.model.RotaryAngles;

/**
 * Rotary position embedding in Hugging Face's rotate-half layout: the pair (x[i], x[i + D/2]) is
 * rotated by angle position · θ^(−2i/D). Tables for every position are computed once.
 */
final class RotaryEmbedding {

    private final NDArray cosTable; // [contextLength, headDim], compute dtype
    private final NDArray sinTable;
    private final int halfDim;

    RotaryEmbedding(ModelConfig config, NDManager manager, DataType computeType) {
        int headDim = config.headDim();
        int positions = config.contextLength();
        halfDim = headDim / 2;
        RotaryAngles angles = RotaryAngles.of(config);
        // Each angle twice per row, for the rotate-half layout's two halves.
        float[] cos = new float[positions * headDim];
        float[] sin = new float[positions * headDim];
        for (int position = 0; position < positions; position++) {
            for (int i = 0; i < halfDim; i++) {
                int row = position * headDim;
                cos[row + i] = cos[row + i + halfDim] = angles.cos()[position * halfDim + i];
                sin[row + i] = sin[row + i + halfDim] = angles.sin()[position * halfDim + i];
            }
        }
        Shape shape = new Shape(positions, headDim);
        cosTable = manager.create(cos, shape).toType(computeType, false);
        sinTable = manager.create(sin, shape).toType(computeType, false);
    }

    /** positions [B, T] → (cos, sin), each [B, 1, T, D], to broadcast over heads. */
    NDList lookup(NDArray positions) {
        Shape shape = positions.getShape();
        NDArray flat = positions.reshape(-1);
        Shape tableShape = new Shape(shape.get(0), 1, shape.get(1), -1);
        return new NDList(
                cosTable.get(flat).reshape(tableShape),
                sinTable.get(flat).reshape(tableShape));
    }

    /** x [B, heads, T, D] rotated by the looked-up angles. */
    NDArray apply(NDArray x, NDList cosSin) {
        NDArray firstHalf = x.get(new NDIndex("..., :{}", halfDim));
        NDArray secondHalf = x.get(new NDIndex("..., {}:", halfDim));
        NDArray rotated = NDArrays.concat(new NDList(secondHalf.neg(), firstHalf), -1);
        return x.mul(cosSin.get(0)).add(rotated.mul(cosSin.get(1)));
    }
}
