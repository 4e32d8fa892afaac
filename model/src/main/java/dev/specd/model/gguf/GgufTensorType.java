package dev.specd.model.gguf;

/** The ggml tensor types this exporter writes, with ggml's numbers ({@code ggml_type}). */
public enum GgufTensorType {
    F32(0, 4),
    F16(1, 2);

    private final int id;
    private final int bytes;

    GgufTensorType(int id, int bytes) {
        this.id = id;
        this.bytes = bytes;
    }

    /** The {@code ggml_type} number stored in the tensor info. */
    public int id() {
        return id;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    public static GgufTensorType of(int id) {
        for (GgufTensorType type : values()) {
            if (type.id == id) {
                return type;
            }
        }
        throw new IllegalArgumentException("unsupported ggml tensor type " + id + "; supported: F32 (0), F16 (1)");
    }
}
