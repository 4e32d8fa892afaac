package dev.specd.model.cpu;

import dev.specd.model.safetensors.DType;
import dev.specd.model.safetensors.SafetensorsReader;
import java.io.IOException;
import java.nio.ShortBuffer;
import java.util.List;

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
            return Bf16Matrix.tiled(rows, columns, values);
        }
        float[] values = new float[elements];
        for (String name : names) {
            offset += reader.readFloats(name, values, offset);
        }
        return F32Matrix.tiled(rows, columns, values);
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

    /** Several 1-D tensors end to end (the q, k and v biases), or null when {@code names} is empty. */
    float[] stackedVector(List<String> names) throws IOException {
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
        return values;
    }
}
