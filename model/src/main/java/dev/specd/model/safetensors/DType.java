package dev.specd.model.safetensors;

import ai.djl.ndarray.types.DataType;
import java.util.Arrays;

/** The safetensors element types this runtime reads and writes, under their safetensors names. */
public enum DType {
    F32(4, DataType.FLOAT32),
    F16(2, DataType.FLOAT16),
    /**
     * bfloat16. DJL 0.35.1's PyTorch engine has no native mapping for {@link DataType#BFLOAT16}:
     * creating or casting to it aborts the JVM, so {@link SafetensorsReader#load} widens BF16 to
     * {@link DataType#FLOAT32} (exactly: bfloat16 is the upper half of a float32).
     */
    BF16(2, DataType.BFLOAT16);

    private final int bytes;
    private final DataType djl;

    DType(int bytes, DataType djl) {
        this.bytes = bytes;
        this.djl = djl;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** The DJL data type with the same bit layout. */
    public DataType djl() {
        return djl;
    }

    /** The DJL data type of the array that {@link SafetensorsReader#load} returns for this dtype. */
    public DataType loadedAs() {
        return this == BF16 ? DataType.FLOAT32 : djl;
    }

    public static DType of(DataType dataType) {
        for (DType type : values()) {
            if (type.djl == dataType) {
                return type;
            }
        }
        throw new IllegalArgumentException("DJL data type " + dataType
                + " has no supported safetensors dtype; supported: float32, float16, bfloat16");
    }

    /** The dtype named by a safetensors header, e.g. {@code "BF16"}. */
    public static DType parse(String name) {
        for (DType type : values()) {
            if (type.name().equals(name)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unsupported safetensors dtype '" + name + "'; supported: "
                + Arrays.toString(values()));
    }
}
