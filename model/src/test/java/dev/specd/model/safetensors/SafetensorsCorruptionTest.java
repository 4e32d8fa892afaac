package dev.specd.model.safetensors;

import static dev.specd.model.safetensors.RawSafetensors.entry;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsCorruptionTest {

    @TempDir
    Path dir;

    @Test
    void truncatedFileNamesTheTensorThatRunsPastTheEnd() throws IOException {
        Path file = dir.resolve("truncated.safetensors");
        try (NDManager manager = NDManager.newBaseManager()) {
            SafetensorsWriter.write(file, new TreeMap<>(Map.of(
                    "a", manager.zeros(new Shape(4)), "b", manager.zeros(new Shape(4)))), Map.of());
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() - 3);
        }
        assertFails(file, "tensor 'b'", "data_offsets [16, 32] run past the end of the file", "truncated?");
    }

    @Test
    void fileShorterThanTheLengthPrefix() throws IOException {
        Path file = Files.write(dir.resolve("tiny.safetensors"), new byte[] {1, 2, 3});
        assertFails(file, "is 3 bytes, too short for the 8-byte header length");
    }

    @Test
    void garbageHeader() throws IOException {
        Path file = RawSafetensors.write(dir.resolve("garbage.safetensors"), "this is not JSON at all!", 0);
        assertFails(file, "malformed JSON header");
    }

    @Test
    void headerThatIsNotAnObject() throws IOException {
        Path file = RawSafetensors.write(dir.resolve("array.safetensors"), "[1, 2, 3]", 0);
        assertFails(file, "header is not a JSON object");
    }

    @Test
    void headerLengthLargerThanTheFile() throws IOException {
        byte[] header = "{}".getBytes(StandardCharsets.UTF_8);
        Path file = RawSafetensors.write(dir.resolve("long.safetensors"), 1_000, header, 4);
        assertFails(file, "header length 1000 runs past the end of the 14-byte file");
    }

    @Test
    void headerLengthOverTheLimit() throws IOException {
        Path file = RawSafetensors.write(dir.resolve("huge.safetensors"), 200_000_000, new byte[0], 0);
        assertFails(file, "header length 200000000 is not below the 100 MB limit");
        Path negative = RawSafetensors.write(dir.resolve("negative.safetensors"), -1, new byte[0], 0);
        assertFails(negative, "header length 18446744073709551615 is not below the 100 MB limit");
    }

    @Test
    void overlappingOffsets() throws IOException {
        Path file = RawSafetensors.write(dir.resolve("overlap.safetensors"),
                "{" + entry("a", "F32", "[4]", 0, 16) + "," + entry("b", "F32", "[4]", 8, 24) + "}", 24);
        assertFails(file, "tensor 'b'", "data_offsets [8, 24] overlap tensor 'a' at [0, 16]");
    }

    @Test
    void gapBetweenTensors() throws IOException {
        Path file = RawSafetensors.write(dir.resolve("gap.safetensors"),
                "{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 12, 20) + "}", 20);
        assertFails(file, "tensor 'b'", "leave 4 bytes before it that belong to no tensor");
    }

    @Test
    void bytesAfterTheLastTensor() throws IOException {
        Path file = RawSafetensors.write(dir.resolve("trailing.safetensors"), "{" + entry("a", "F32", "[2]", 0, 8) + "}", 12);
        assertFails(file, "4 bytes after the last tensor belong to no tensor");
    }

    @Test
    void endBeforeBegin() throws IOException {
        Path file = RawSafetensors.write(dir.resolve("reversed.safetensors"), "{" + entry("a", "F32", "[0]", 8, 0) + "}", 8);
        assertFails(file, "tensor 'a'", "data_offsets [8, 0] end before they begin");
    }

    @Test
    void unknownDtype() throws IOException {
        Path file = RawSafetensors.write(dir.resolve("dtype.safetensors"), "{" + entry("ids", "I64", "[2]", 0, 16) + "}", 16);
        assertFails(file, "tensor 'ids'", "unsupported safetensors dtype 'I64'");
    }

    @Test
    void byteLengthDisagreeingWithShape() throws IOException {
        Path file = RawSafetensors.write(dir.resolve("size.safetensors"), "{" + entry("w", "F16", "[2, 3]", 0, 8) + "}", 8);
        assertFails(file, "tensor 'w'", "F16 [2, 3] needs 12 bytes but data_offsets [0, 8] hold 8");
    }

    @Test
    void malformedShapeAndOffsets() throws IOException {
        Path negative = RawSafetensors.write(dir.resolve("shape.safetensors"), "{" + entry("w", "F32", "[-1]", 0, 0) + "}", 0);
        assertFails(negative, "tensor 'w'", "shape must be an array of non-negative integers, found [-1]");
        Path fractional = RawSafetensors.write(dir.resolve("offsets.safetensors"),
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0.5, 4]}}", 4);
        assertFails(fractional, "tensor 'w'", "data_offsets must be [begin, end]");
        Path overflow = RawSafetensors.write(dir.resolve("overflow.safetensors"),
                "{" + entry("w", "F32", "[4294967296, 4294967296]", 0, 0) + "}", 0);
        assertFails(overflow, "tensor 'w'", "has too many elements");
    }

    @Test
    void metadataMustBeStrings() throws IOException {
        Path file = RawSafetensors.write(dir.resolve("metadata.safetensors"), "{\"__metadata__\":{\"step\":7}}", 0);
        assertFails(file, "__metadata__ must map strings to strings; 'step' is NUMBER");
    }

    @Test
    void duplicateTensorNames() throws IOException {
        Path file = RawSafetensors.write(dir.resolve("duplicate.safetensors"),
                "{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("a", "F32", "[1]", 4, 8) + "}", 8);
        assertFails(file, "malformed JSON header", "Duplicate field 'a'");
    }

    private static void assertFails(Path file, String... phrases) {
        IOException error = assertThrows(IOException.class, () -> SafetensorsReader.openFile(file).close());
        assertTrue(error.getMessage().contains(file.toString()), error.getMessage());
        for (String phrase : phrases) {
            assertTrue(error.getMessage().contains(phrase), () -> "'" + phrase + "' not in: " + error.getMessage());
        }
    }
}
