package dev.specd.model.safetensors;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor's raw little-endian data, for writing dtypes that no DJL array can hold (BF16 on the
 * PyTorch engine) or data that never was an array.
 *
 * @param data the bytes between its position and limit; the writer does not move its position
 */
public record TensorBytes(DType dtype, long[] shape, ByteBuffer data) {

    public TensorBytes {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(data, "data");
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TensorBytes that
                && dtype == that.dtype
                && Arrays.equals(shape, that.shape)
                && data.equals(that.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dtype, Arrays.hashCode(shape), data);
    }

    @Override
    public String toString() {
        return dtype + " " + Arrays.toString(shape) + " (" + data.remaining() + " bytes)";
    }
}
