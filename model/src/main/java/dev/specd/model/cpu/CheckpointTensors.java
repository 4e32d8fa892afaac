package dev.specd.model.cpu;

import dev.specd.model.safetensors.DType;
import dev.specd.model.safetensors.SafetensorsReader;
import java.io.IOException;
import java.nio.ShortBuffer;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Tensors of a safetensors checkpoint copied onto the heap for the CPU backend. Matrices keep
 * bfloat16 as it is stored (the kernels widen it); float16 is widened to float32 once, exactly.
 * Vectors (norms, biases) are always float32.
 */
final class CheckpointTensors {

    private final SafetensorsReader reader;

    CheckpointTensors(SafetensorsReader reader) {
        this.reader = reader;
    }

    /** The named [rows, columns] matrices stacked row-wise into one (q, k, v into qkv, say). */
    Matrix stackedMatrix(List<String> names) throws IOException {
        return stackedMatrix(names, null);
    }

    /**
     * The named matrices stacked row-wise, then rows reordered: row i of the result is row
     * {@code rowOrder[i]} of the stack (null: in order).
     */
    Matrix stackedMatrix(List<String> names, int[] rowOrder) throws IOException {
        int rows = 0;
        int columns = -1;
        boolean allBf16 = true;
        for (String name : names) {
            long[] shape = reader.tensors().get(name).shape();
            rows = Math.addExact(rows, Math.toIntExact(shape[0]));
            columns = Math.toIntExact(shape[1]);
            allBf16 &= reader.tensors().get(name).dtype() == DType.BF16;
        }
        int elements = Math.multiplyExact(rows, columns);
        int offset = 0;
        if (allBf16) {
            short[] values = new short[elements];
            for (String name : names) {
                ShortBuffer stored = reader.map(name).asShortBuffer();
                int count = stored.remaining();
                stored.get(values, offset, count);
                offset += count;
            }
            return Bf16Matrix.tiled(rows, columns, reordered(values, elements, columns, rowOrder, short[]::new));
        }
        float[] values = new float[elements];
        for (String name : names) {
            offset += reader.readFloats(name, values, offset);
        }
        return F32Matrix.tiled(rows, columns, reordered(values, elements, columns, rowOrder, float[]::new));
    }

    Matrix matrix(String name) throws IOException {
        return stackedMatrix(List.of(name));
    }

    /** A 1-D tensor as float32, or null when {@code name} is null (an absent bias). */
    float[] vector(String name) throws IOException {
        if (name == null) {
            return null;
        }
        float[] values = new float[Math.toIntExact(reader.tensors().get(name).elementCount())];
        reader.readFloats(name, values, 0);
        return values;
    }

    /** Rows of {@code columns} elements in the order {@code rowOrder} gives (null: as they are). */
    private static <T> T reordered(T rows, int length, int columns, int[] rowOrder, IntFunction<T> allocate) {
        if (rowOrder == null) {
            return rows;
        }
        T result = allocate.apply(length);
        for (int i = 0; i < rowOrder.length; i++) {
            System.arraycopy(rows, rowOrder[i] * columns, result, i * columns, columns);
        }
        return result;
    }

    /**
     * Several 1-D tensors end to end (the q, k and v biases), element i then taken from
     * {@code order[i]} (null: in order); null when {@code names} is empty.
     */
    float[] stackedVector(List<String> names, int[] order) throws IOException {
        if (names.isEmpty()) {
            return null;
        }
        long total = 0;
        for (String name : names) {
            total += reader.tensors().get(name).elementCount();
        }
        float[] values = new float[Math.toIntExact(total)];
        int offset = 0;
        for (String name : names) {
            offset += reader.readFloats(name, values, offset);
        }
        return reordered(values, values.length, 1, order, float[]::new);
    }
}
