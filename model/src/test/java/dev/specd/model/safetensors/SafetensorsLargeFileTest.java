package dev.specd.model.safetensors;

import static dev.specd.model.safetensors.RawSafetensors.entry;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files past 2 GiB, made sparse so that the test costs neither disk nor time. */
class SafetensorsLargeFileTest {

    private static final long HUGE_ELEMENTS = 563_714_458L; // 2.1 GiB of F32

    @TempDir
    Path dir;

    @Test
    void mapsATensorBeyondTwoGibibytesAndRefusesOneLargerThanThat() throws IOException {
        long hugeBytes = HUGE_ELEMENTS * Float.BYTES;
        byte[] header = ("{" + entry("huge", "F32", "[" + HUGE_ELEMENTS + "]", 0, hugeBytes) + ","
                + entry("tail", "F32", "[3]", hugeBytes, hugeBytes + 12) + "}").getBytes(StandardCharsets.UTF_8);
        Path file = dir.resolve("large.safetensors");
        ByteBuffer tail = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2f).putFloat(3f)
                .flip();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length));
            channel.write(ByteBuffer.wrap(header));
            channel.write(tail.duplicate(), 8L + header.length + hugeBytes);
        }

        try (SafetensorsReader reader = SafetensorsReader.openFile(file); NDManager manager = NDManager.newBaseManager()) {
            TensorInfo tailInfo = reader.tensors().get("tail");
            assertTrue(tailInfo.offset() > Integer.MAX_VALUE, tailInfo.toString());
            assertEquals(tail, reader.map("tail"));
            assertArrayEquals(new float[] {1.5f, -2f, 3f}, reader.load(manager, "tail").toFloatArray());

            IOException error = assertThrows(IOException.class, () -> reader.map("huge"));
            assertTrue(error.getMessage().contains("tensor 'huge'") && error.getMessage().contains(file.toString())
                    && error.getMessage().contains("a single tensor over 2 GiB cannot be mapped"), error.getMessage());
        }
    }
}
