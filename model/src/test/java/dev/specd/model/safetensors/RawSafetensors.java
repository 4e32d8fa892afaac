package dev.specd.model.safetensors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Hand-built safetensors files, to feed the reader headers that our writer would never produce. */
final class RawSafetensors {

    private RawSafetensors() {
    }

    /** Length prefix, the header text as given, then {@code dataLength} zero bytes. */
    static Path write(Path file, String headerJson, int dataLength) throws IOException {
        byte[] header = headerJson.getBytes(StandardCharsets.UTF_8);
        return write(file, header.length, header, dataLength);
    }

    /** A length prefix that may lie about the header that follows it. */
    static Path write(Path file, long declaredHeaderLength, byte[] header, int dataLength) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(Long.BYTES + header.length + dataLength).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putLong(declaredHeaderLength).put(header);
        Files.write(file, bytes.array());
        return file;
    }

    static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + ","
                + end + "]}";
    }
}
