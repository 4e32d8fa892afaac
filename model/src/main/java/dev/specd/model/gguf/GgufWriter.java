package dev.specd.model.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes GGUF version 3 files, little-endian, as llama.cpp's {@code gguf.cpp} reads them:
 *
 * <pre>
 * "GGUF" u32 version  u64 tensor count  u64 key/value count
 * key/value*          string key, u32 type, value (arrays: u32 element type, u64 count, elements)
 * tensor info*        string name, u32 n_dims, u64 ne[n_dims] (innermost first), u32 ggml type,
 *                     u64 offset into the data section (a multiple of the alignment)
 * padding to the alignment, then the data section, each tensor padded to the alignment
 * </pre>
 *
 * Strings are a u64 byte length and UTF-8 bytes without a terminator. The file appears atomically:
 * written and synced under a temporary name beside the target, then renamed over it.
 */
public final class GgufWriter {

    public static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
    public static final int VERSION = 3;
    public static final int ALIGNMENT = 32;
    public static final String ALIGNMENT_KEY = "general.alignment";

    private static final int BUFFER_BYTES = 1 << 20;

    private GgufWriter() {}

    /**
     * Writes {@code metadata} (in its iteration order, {@link #ALIGNMENT_KEY} added last) and the
     * tensors, whose data is laid out in list order.
     */
    public static void write(Path file, Map<String, GgufValue> metadata, List<GgufTensor> tensors) throws IOException {
        if (metadata.containsKey(ALIGNMENT_KEY)) {
            throw new IllegalArgumentException(ALIGNMENT_KEY + " is the writer's: it always aligns to " + ALIGNMENT);
        }
        Set<String> names = new HashSet<>();
        for (GgufTensor tensor : tensors) {
            if (!names.add(tensor.name())) {
                throw new IllegalArgumentException("two tensors named '" + tensor.name() + "'");
            }
        }
        Map<String, GgufValue> keys = new LinkedHashMap<>(metadata);
        keys.put(ALIGNMENT_KEY, new GgufValue.UInt32(ALIGNMENT));

        Path directory = file.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        // Not Files.createTempFile: its owner-only permissions would keep other users (an Ollama service) out.
        Path temporary = directory.resolve("." + file.getFileName() + "." + Long.toHexString(
                ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE,
                    StandardOpenOption.CREATE_NEW)) {
                Output out = new Output(channel);
                out.u32(MAGIC);
                out.u32(VERSION);
                out.u64(tensors.size());
                out.u64(keys.size());
                for (Map.Entry<String, GgufValue> entry : keys.entrySet()) {
                    out.string(entry.getKey());
                    out.u32(entry.getValue().type().id());
                    writeValue(out, entry.getValue());
                }
                long offset = 0;
                for (GgufTensor tensor : tensors) {
                    long[] dims = tensor.dims();
                    out.string(tensor.name());
                    out.u32(dims.length);
                    for (long dim : dims) {
                        out.u64(dim);
                    }
                    out.u32(tensor.type().id());
                    out.u64(offset);
                    offset = align(offset + tensor.byteLength());
                }
                out.padTo(align(out.position()));
                long dataStart = out.position();
                for (GgufTensor tensor : tensors) {
                    writeData(out, tensor);
                    out.padTo(align(out.position() - dataStart) + dataStart);
                }
                out.flush();
                channel.force(true);
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temporary);
            throw e;
        }
    }

    static long align(long position) {
        return (position + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    private static void writeValue(Output out, GgufValue value) throws IOException {
        switch (value) {
            case GgufValue.UInt32 v -> out.u32((int) v.value());
            case GgufValue.Float32 v -> out.f32(v.value());
            case GgufValue.Bool v -> out.u8(v.value() ? 1 : 0);
            case GgufValue.Text v -> out.string(v.value());
            case GgufValue.TextArray v -> {
                out.u32(GgufValueType.STRING.id());
                out.u64(v.values().size());
                for (String element : v.values()) {
                    out.string(element);
                }
            }
            case GgufValue.Int32Array v -> {
                out.u32(GgufValueType.INT32.id());
                out.u64(v.values().size());
                for (int element : v.values()) {
                    out.u32(element);
                }
            }
        }
    }

    private static void writeData(Output out, GgufTensor tensor) throws IOException {
        float[] values = tensor.values().read();
        if (values.length != tensor.elementCount()) {
            throw new IllegalArgumentException("tensor '" + tensor.name() + "' " + tensor + " has "
                    + tensor.elementCount() + " elements, its values " + values.length);
        }
        for (float value : values) {
            switch (tensor.type()) {
                case F32 -> out.f32(value);
                case F16 -> {
                    short half = Float.floatToFloat16(value);
                    if (Float.isFinite(value) && Float.isInfinite(Float.float16ToFloat(half))) {
                        throw new UnexportableModelException("tensor '" + tensor.name() + "' holds " + value
                                + ", beyond the range of F16 (±65504): write it as F32");
                    }
                    out.u16(half);
                }
            }
        }
    }

    /** Little-endian writes through one reusable buffer. */
    private static final class Output {
        private final FileChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        private long flushed;

        Output(FileChannel channel) {
            this.channel = channel;
        }

        long position() {
            return flushed + buffer.position();
        }

        void u8(int value) throws IOException {
            room(1).put((byte) value);
        }

        void u16(short value) throws IOException {
            room(2).putShort(value);
        }

        void u32(int value) throws IOException {
            room(4).putInt(value);
        }

        void u64(long value) throws IOException {
            room(8).putLong(value);
        }

        void f32(float value) throws IOException {
            room(4).putFloat(value);
        }

        void string(String value) throws IOException {
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            u64(bytes.length);
            int written = 0;
            while (written < bytes.length) {
                int chunk = Math.min(bytes.length - written, BUFFER_BYTES);
                room(chunk).put(bytes, written, chunk);
                written += chunk;
            }
        }

        void padTo(long target) throws IOException {
            while (position() < target) {
                u8(0);
            }
        }

        void flush() throws IOException {
            buffer.flip();
            while (buffer.hasRemaining()) {
                flushed += channel.write(buffer);
            }
            buffer.clear();
        }

        private ByteBuffer room(int bytes) throws IOException {
            if (buffer.remaining() < bytes) {
                flush();
            }
            return buffer;
        }
    }
}
