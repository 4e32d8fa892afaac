package dev.specd.model.gguf;

import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor to write: its name, its stored type, and its dimensions in ggml order, innermost first
 * ({@code ne[0]} is the number of columns: a Hugging Face {@code [out, in]} matrix is {@code [in, out]}
 * here). Values come row-major, as the checkpoint holds them, and are read only when written, so
 * one tensor at a time is on the heap.
 */
public record GgufTensor(String name, GgufTensorType type, long[] dims, Values values) {

    /** Reads the tensor's values, row-major, when the writer reaches it. */
    @FunctionalInterface
    public interface Values {
        float[] read() throws IOException;
    }

    public GgufTensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(values, "values");
        dims = dims.clone();
        if (dims.length == 0 || dims.length > 4) {
            throw new IllegalArgumentException("tensor '" + name + "' has " + dims.length
                    + " dimensions; ggml holds 1 to 4");
        }
        for (long dim : dims) {
            if (dim < 1) {
                throw new IllegalArgumentException("tensor '" + name + "' has dimensions " + Arrays.toString(dims));
            }
        }
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }

    public long elementCount() {
        long count = 1;
        for (long dim : dims) {
            count = Math.multiplyExact(count, dim);
        }
        return count;
    }

    public long byteLength() {
        return Math.multiplyExact(elementCount(), type.bytes());
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof GgufTensor that
                && name.equals(that.name)
                && type == that.type
                && Arrays.equals(dims, that.dims)
                && values.equals(that.values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, Arrays.hashCode(dims), values);
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(dims);
    }
}
