package dev.specd.model.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsRoundTripTest {

    private static final float[] SPECIAL_VALUES = {0f, -0f, 1f, -1.5f, Float.MIN_VALUE, Float.MAX_VALUE,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 6.1e-5f, 65504f, 1e-8f};

    @TempDir
    Path dir;

    @Test
    void float32AndFloat16AreBitExact() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray f32 = manager.create(randomWithSpecials(3 * 7, 1), new Shape(3, 7));
            NDArray f16 = manager.create(randomWithSpecials(5 * 2 * 3, 2), new Shape(5, 2, 3))
                    .toType(DataType.FLOAT16, false);
            NDArray scalar = manager.create(42f);
            NDArray empty = manager.create(new Shape(0, 4), DataType.FLOAT32);
            SortedMap<String, NDArray> tensors = new TreeMap<>(Map.of(
                    "model.embed_tokens.weight", f32, "model.norm.weight", f16, "scalar", scalar, "empty", empty));
            Path file = dir.resolve(SafetensorsReader.SINGLE_FILE);
            SafetensorsWriter.write(file, tensors, Map.of());

            try (SafetensorsReader reader = SafetensorsReader.open(dir)) {
                assertEquals(tensors.keySet(), reader.tensors().keySet());
                for (Map.Entry<String, NDArray> tensor : tensors.entrySet()) {
                    NDArray original = tensor.getValue();
                    TensorInfo info = reader.tensors().get(tensor.getKey());
                    assertEquals(DType.of(original.getDataType()), info.dtype());
                    assertArrayEquals(original.getShape().getShape(), info.shape());
                    assertEquals(bytes(original.toByteBuffer()), bytes(reader.map(tensor.getKey())), tensor.getKey());

                    NDArray loaded = reader.load(manager, tensor.getKey());
                    assertEquals(original.getDataType(), loaded.getDataType());
                    assertEquals(original.getShape(), loaded.getShape());
                    assertEquals(tensor.getKey(), loaded.getName());
                    assertEquals(bytes(original.toByteBuffer()), bytes(loaded.toByteBuffer()), tensor.getKey());
                }
            }
        }
    }

    @Test
    void bfloat16IsBitExactOnDiskAndWidensExactlyToFloat32() throws IOException {
        short[] bf16 = new short[4 * 6];
        Random random = new Random(3);
        for (int i = 0; i < bf16.length; i++) {
            bf16[i] = (short) random.nextInt();
        }
        bf16[0] = (short) 0x7FC1; // a NaN with a payload
        bf16[1] = (short) 0x8000; // -0
        bf16[2] = (short) 0x0001; // the smallest subnormal
        ByteBuffer data = ByteBuffer.allocate(bf16.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        data.asShortBuffer().put(bf16);
        Path file = dir.resolve("bf16.safetensors");
        SafetensorsWriter.writeBytes(file, new TreeMap<>(Map.of("w", new TensorBytes(DType.BF16, new long[] {4, 6}, data))),
                Map.of());

        try (SafetensorsReader reader = SafetensorsReader.openFile(file);
                NDManager manager = NDManager.newBaseManager()) {
            assertEquals(DType.BF16, reader.tensors().get("w").dtype());
            assertEquals(bytes(data), bytes(reader.map("w")));

            NDArray loaded = reader.load(manager, "w");
            assertEquals(DataType.FLOAT32, loaded.getDataType());
            assertEquals(new Shape(4, 6), loaded.getShape());
            ByteBuffer widened = loaded.toByteBuffer().order(ByteOrder.nativeOrder());
            for (int i = 0; i < bf16.length; i++) {
                assertEquals(bf16[i] << 16, widened.getInt(i * Float.BYTES), "element " + i);
            }
        }
    }

    @Test
    void metadataRoundTrips() throws IOException {
        Map<String, String> metadata = Map.of("format", "pt", "specd.draft_version", "v0007", "note", "ünïcode \"quoted\"");
        Path file = dir.resolve("meta.safetensors");
        try (NDManager manager = NDManager.newBaseManager()) {
            SafetensorsWriter.write(file, new TreeMap<>(Map.of("a", manager.ones(new Shape(2)))), metadata);
        }
        try (SafetensorsReader reader = SafetensorsReader.openFile(file)) {
            assertEquals(metadata, reader.metadata());
        }
    }

    @Test
    void headerIsPaddedToEightBytesAndEveryTensorIsAligned() throws IOException {
        short[] halfValues = {1, 2, 3};
        ByteBuffer half = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN);
        half.asShortBuffer().put(halfValues);
        ByteBuffer single = ByteBuffer.allocate(12);
        Path file = dir.resolve("aligned.safetensors");
        SafetensorsWriter.writeBytes(file, new TreeMap<>(Map.of(
                "a.half", new TensorBytes(DType.F16, new long[] {3}, half),
                "b.single", new TensorBytes(DType.F32, new long[] {3}, single))), Map.of("k", "v"));

        long headerLength;
        try (FileChannel channel = FileChannel.open(file)) {
            ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(prefix, 0);
            headerLength = prefix.getLong(0);
        }
        assertEquals(0, headerLength % 8);
        String header = new String(Files.readAllBytes(file), 8, (int) headerLength, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"__metadata__\":{\"k\":\"v\"},\"a.half\""), header);
        try (SafetensorsReader reader = SafetensorsReader.openFile(file)) {
            for (TensorInfo info : reader.tensors().values()) {
                assertEquals(0, info.offset() % info.dtype().bytes(), info.toString());
            }
            assertEquals(bytes(half), bytes(reader.map("a.half")));
        }
    }

    @Test
    void rewritingReplacesTheFileAndLeavesNoTemporaryBehind() throws IOException {
        Path file = dir.resolve(SafetensorsReader.SINGLE_FILE);
        try (NDManager manager = NDManager.newBaseManager()) {
            SafetensorsWriter.write(file, new TreeMap<>(Map.of("old", manager.zeros(new Shape(8)))), Map.of());
            SafetensorsWriter.write(file, new TreeMap<>(Map.of("new", manager.ones(new Shape(2)))), Map.of());
        }
        try (SafetensorsReader reader = SafetensorsReader.open(dir); Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("new"), List.copyOf(reader.tensors().keySet()));
            assertEquals(List.of(file), files.toList());
        }
    }

    @Test
    void refusesDataOfTheWrongSizeBeforeTouchingTheDisk() {
        Path file = dir.resolve("bad.safetensors");
        TensorBytes tooShort = new TensorBytes(DType.F32, new long[] {2, 2}, ByteBuffer.allocate(12));
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> SafetensorsWriter.writeBytes(file, new TreeMap<>(Map.of("w", tooShort)), Map.of()));
        assertTrue(error.getMessage().contains("'w'") && error.getMessage().contains("needs 16 bytes"), error.getMessage());
        assertTrue(Files.notExists(file));
    }

    @Test
    void refusesArraysOfUnsupportedTypes() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray ints = manager.create(new long[] {1, 2});
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter
                    .write(dir.resolve("ints.safetensors"), new TreeMap<>(Map.of("ids", ints)), Map.of()));
            assertTrue(error.getMessage().contains("int64"), error.getMessage());
        }
    }

    @Test
    void loadedArraysOutliveTheReaderAndItsBuffers() throws IOException {
        Path file = dir.resolve("lifetime.safetensors");
        try (NDManager manager = NDManager.newBaseManager()) {
            SafetensorsWriter.write(file, new TreeMap<>(Map.of("w", manager.create(new float[] {1, 2, 3}))), Map.of());
            SafetensorsReader reader = SafetensorsReader.openFile(file);
            NDArray loaded = reader.load(manager, "w");
            reader.close();
            System.gc();
            assertArrayEquals(new float[] {1, 2, 3}, loaded.toFloatArray());
            IllegalStateException closed = assertThrows(IllegalStateException.class, () -> reader.map("w"));
            assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
        }
    }

    @Test
    void unknownTensorNameIsAnError() throws IOException {
        Path file = dir.resolve("one.safetensors");
        try (NDManager manager = NDManager.newBaseManager()) {
            SafetensorsWriter.write(file, new TreeMap<>(Map.of("a", manager.ones(new Shape(2)))), Map.of());
        }
        try (SafetensorsReader reader = SafetensorsReader.openFile(file)) {
            IOException error = assertThrows(IOException.class, () -> reader.map("b"));
            assertTrue(error.getMessage().contains("no tensor 'b'"), error.getMessage());
        }
    }

    private static float[] randomWithSpecials(int count, long seed) {
        Random random = new Random(seed);
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = i < SPECIAL_VALUES.length ? SPECIAL_VALUES[i] : (float) random.nextGaussian();
        }
        return values;
    }

    private static ByteBuffer bytes(ByteBuffer buffer) {
        ByteBuffer copy = ByteBuffer.allocate(buffer.remaining());
        copy.put(buffer.duplicate());
        return copy.flip();
    }
}
