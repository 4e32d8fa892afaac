package dev.specd.model.gguf;

/** The type tags of GGUF metadata values, with the numbers the file stores (gguf-py's GGUFValueType). */
public enum GgufValueType {
    UINT8(0),
    INT8(1),
    UINT16(2),
    INT16(3),
    UINT32(4),
    INT32(5),
    FLOAT32(6),
    BOOL(7),
    STRING(8),
    ARRAY(9),
    UINT64(10),
    INT64(11),
    FLOAT64(12);

    private final int id;

    GgufValueType(int id) {
        this.id = id;
    }

    /** The number stored in the file. */
    public int id() {
        return id;
    }

    public static GgufValueType of(int id) {
        for (GgufValueType type : values()) {
            if (type.id == id) {
                return type;
            }
        }
        throw new IllegalArgumentException("no GGUF value type " + id);
    }
}
