package dev.specd.model.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An independent GGUF reader for the tests, written from the format description (and llama.cpp's
 * {@code gguf.cpp}), not from {@link GgufWriter}: it checks the magic, version, alignment and
 * padding, and decodes every value type.
 */
final class GgufReader {

    /** One tensor's info. {@code dims} innermost first; {@code offset} relative to the data section. */
    record TensorEntry(String name, long[] dims, GgufTensorType type, long offset) {
        long elements() {
            long count = 1;
            for (long dim : dims) {
                count *= dim;
            }
            return count;
        }
    }

    /** A metadata value with its stored type; arrays also carry their element type. */
    record Entry(GgufValueType type, GgufValueType elementType, Object value) {}

    final int version;
    final Map<String, Entry> metadata = new LinkedHashMap<>();
    final Map<String, TensorEntry> tensors = new LinkedHashMap<>();
    final long dataStart;
    private final ByteBuffer file;

    GgufReader(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path)) {
            file = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size()).order(ByteOrder.LITTLE_ENDIAN);
        }
        byte[] magic = new byte[4];
        file.get(magic);
        if (!new String(magic, StandardCharsets.US_ASCII).equals("GGUF")) {
            throw new IOException("bad magic");
        }
        version = file.getInt();
        long tensorCount = file.getLong();
        long keyCount = file.getLong();
        for (long i = 0; i < keyCount; i++) {
            String key = string();
            GgufValueType type = GgufValueType.of(file.getInt());
            if (type == GgufValueType.ARRAY) {
                GgufValueType elementType = GgufValueType.of(file.getInt());
                long count = file.getLong();
                List<Object> values = new ArrayList<>();
                for (long j = 0; j < count; j++) {
                    values.add(scalar(elementType));
                }
                metadata.put(key, new Entry(type, elementType, values));
            } else {
                metadata.put(key, new Entry(type, null, scalar(type)));
            }
        }
        for (long i = 0; i < tensorCount; i++) {
            String name = string();
            int dimCount = file.getInt();
            long[] dims = new long[dimCount];
            for (int d = 0; d < dimCount; d++) {
                dims[d] = file.getLong();
            }
            GgufTensorType type = GgufTensorType.of(file.getInt());
            tensors.put(name, new TensorEntry(name, dims, type, file.getLong()));
        }
        long alignment = metadata.containsKey("general.alignment")
                ? ((Number) metadata.get("general.alignment").value()).longValue() : 32;
        long position = file.position();
        dataStart = (position + alignment - 1) / alignment * alignment;
        for (long p = position; p < dataStart; p++) {
            if (file.get((int) p) != 0) {
                throw new IOException("non-zero padding before the data section at " + p);
            }
        }
        for (TensorEntry tensor : tensors.values()) {
            if (tensor.offset() % alignment != 0) {
                throw new IOException(tensor.name() + " is not aligned: offset " + tensor.offset());
            }
            if (dataStart + tensor.offset() + tensor.elements() * tensor.type().bytes() > file.limit()) {
                throw new IOException(tensor.name() + " runs past the end of the file");
            }
        }
    }

    Object value(String key) {
        Entry entry = metadata.get(key);
        if (entry == null) {
            throw new AssertionError("no key " + key);
        }
        return entry.value();
    }

    /** A tensor's values as floats, in stored (row-major) order. */
    float[] values(String name) {
        TensorEntry tensor = tensors.get(name);
        float[] values = new float[Math.toIntExact(tensor.elements())];
        int base = Math.toIntExact(dataStart + tensor.offset());
        for (int i = 0; i < values.length; i++) {
            values[i] = tensor.type() == GgufTensorType.F32
                    ? file.getFloat(base + i * 4)
                    : Float.float16ToFloat(file.getShort(base + i * 2));
        }
        return values;
    }

    private Object scalar(GgufValueType type) {
        return switch (type) {
            case UINT8 -> Byte.toUnsignedInt(file.get());
            case INT8 -> (int) file.get();
            case UINT16 -> Short.toUnsignedInt(file.getShort());
            case INT16 -> (int) file.getShort();
            case UINT32 -> Integer.toUnsignedLong(file.getInt());
            case INT32 -> file.getInt();
            case FLOAT32 -> file.getFloat();
            case BOOL -> switch (file.get()) {
                case 0 -> false;
                case 1 -> true;
                default -> throw new IllegalStateException("bool that is neither 0 nor 1");
            };
            case STRING -> string();
            case UINT64, INT64 -> file.getLong();
            case FLOAT64 -> file.getDouble();
            case ARRAY -> throw new IllegalStateException("nested arrays are not written");
        };
    }

    private String string() {
        byte[] bytes = new byte[Math.toIntExact(file.getLong())];
        file.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
