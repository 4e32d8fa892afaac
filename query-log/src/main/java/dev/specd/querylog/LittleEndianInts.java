package dev.specd.querylog;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Int arrays as little-endian BLOBs: 4 bytes per value, readable by numpy's {@code frombuffer(dtype='<i4')}. */
final class LittleEndianInts {

    private LittleEndianInts() {
    }

    static byte[] encode(int[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asIntBuffer().put(values);
        return buffer.array();
    }

    /** @param what names the column in the error message */
    static int[] decode(byte[] bytes, String what) throws IOException {
        if (bytes.length % Integer.BYTES != 0) {
            throw new IOException(what + ": " + bytes.length + " bytes is not a whole number of 4-byte ints");
        }
        int[] values = new int[bytes.length / Integer.BYTES];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(values);
        return values;
    }
}
