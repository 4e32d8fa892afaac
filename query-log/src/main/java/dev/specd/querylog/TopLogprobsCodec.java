package dev.specd.querylog;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A record's per-position target distributions as one little-endian BLOB, laid out by field so that each
 * part is one contiguous array:
 *
 * <pre>
 * int32   positions
 * int32   k                      entries per position when all positions have the same count, else −1 …
 * int32   counts[positions]      … followed by each position's count
 * int32   idBytes                2 when every token id fits an unsigned 16-bit int, else 4
 * uint16 or int32 tokenIds[Σ counts]
 * float16 logprobs[Σ counts]     IEEE 754 binary16
 * float32 tailMass[positions]
 * </pre>
 *
 * The top-k entries are most of a record (k = 20 per output token), so both halves are kept small.
 * Log-probabilities are stored as float16: half precision keeps a relative error of at most 2⁻¹¹, far below
 * what distillation can tell apart, and saves 2 bytes per entry (a typical record is about a quarter smaller
 * than with float32). Token ids take 2 bytes when the vocabulary allows, which the Llama 2, Mistral,
 * TinyLlama and SmolLM vocabularies and our own do, and 4 otherwise (Llama 3, Qwen2). Tail masses stay
 * float32 because they are often tiny.
 */
final class TopLogprobsCodec {

    private static final int MIXED_COUNTS = -1;
    private static final int SHORT_IDS = Short.BYTES;
    private static final int INT_IDS = Integer.BYTES;

    private TopLogprobsCodec() {
    }

    /** The value a log-probability has after a round trip through the log. */
    static float stored(float logprob) {
        return Float.float16ToFloat(Float.floatToFloat16(logprob));
    }

    static byte[] encode(List<TopLogprobs> positions) {
        int uniformCount = uniformCount(positions);
        int idBytes = idBytes(positions);
        int entries = 0;
        for (TopLogprobs position : positions) {
            entries += position.size();
        }
        int countsBytes = uniformCount == MIXED_COUNTS ? positions.size() * Integer.BYTES : 0;
        ByteBuffer buffer = ByteBuffer.allocate(3 * Integer.BYTES + countsBytes + entries * (idBytes + Short.BYTES)
                        + positions.size() * Float.BYTES)
                .order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(positions.size()).putInt(uniformCount);
        if (uniformCount == MIXED_COUNTS) {
            positions.forEach(position -> buffer.putInt(position.size()));
        }
        buffer.putInt(idBytes);
        for (TopLogprobs position : positions) {
            for (int tokenId : position.tokenIds()) {
                if (idBytes == SHORT_IDS) {
                    buffer.putShort((short) tokenId);
                } else {
                    buffer.putInt(tokenId);
                }
            }
        }
        for (TopLogprobs position : positions) {
            for (float logprob : position.logprobs()) {
                buffer.putShort(Float.floatToFloat16(logprob));
            }
        }
        positions.forEach(position -> buffer.putFloat(position.tailMass()));
        return buffer.array();
    }

    static List<TopLogprobs> decode(byte[] bytes) throws IOException {
        try {
            ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            int positions = buffer.getInt();
            int uniformCount = buffer.getInt();
            // Sizes are checked against the blob before anything is allocated from them.
            if (positions < 0 || uniformCount < MIXED_COUNTS || (long) positions * Float.BYTES > buffer.remaining()) {
                throw malformed(bytes, "header says " + positions + " positions of " + uniformCount + " entries");
            }
            int[] counts = new int[positions];
            long entries = 0;
            for (int i = 0; i < positions; i++) {
                counts[i] = uniformCount == MIXED_COUNTS ? buffer.getInt() : uniformCount;
                if (counts[i] < 0) {
                    throw malformed(bytes, "position " + i + " has " + counts[i] + " entries");
                }
                entries += counts[i];
            }
            int idBytes = buffer.getInt();
            if (idBytes != SHORT_IDS && idBytes != INT_IDS) {
                throw malformed(bytes, "token ids of " + idBytes + " bytes");
            }
            if (entries * (idBytes + Short.BYTES) + (long) positions * Float.BYTES != buffer.remaining()) {
                throw malformed(bytes, positions + " positions of " + entries + " entries in all do not fill "
                        + buffer.remaining() + " bytes");
            }
            int[][] tokenIds = new int[positions][];
            for (int i = 0; i < positions; i++) {
                tokenIds[i] = new int[counts[i]];
                for (int j = 0; j < counts[i]; j++) {
                    tokenIds[i][j] = idBytes == SHORT_IDS ? Short.toUnsignedInt(buffer.getShort()) : buffer.getInt();
                }
            }
            float[][] logprobs = new float[positions][];
            for (int i = 0; i < positions; i++) {
                logprobs[i] = new float[counts[i]];
                for (int j = 0; j < counts[i]; j++) {
                    logprobs[i][j] = Float.float16ToFloat(buffer.getShort());
                }
            }
            List<TopLogprobs> decoded = new ArrayList<>(positions);
            for (int i = 0; i < positions; i++) {
                decoded.add(new TopLogprobs(tokenIds[i], logprobs[i], buffer.getFloat()));
            }
            return decoded;
        } catch (BufferUnderflowException e) {
            throw malformed(bytes, "truncated");
        }
    }

    private static int uniformCount(List<TopLogprobs> positions) {
        if (positions.isEmpty()) {
            return 0;
        }
        int count = positions.getFirst().size();
        for (TopLogprobs position : positions) {
            if (position.size() != count) {
                return MIXED_COUNTS;
            }
        }
        return count;
    }

    private static int idBytes(List<TopLogprobs> positions) {
        for (TopLogprobs position : positions) {
            for (int tokenId : position.tokenIds()) {
                if (tokenId < 0 || tokenId > 0xFFFF) {
                    return INT_IDS;
                }
            }
        }
        return SHORT_IDS;
    }

    private static IOException malformed(byte[] bytes, String problem) {
        return new IOException("target top-k blob of " + bytes.length + " bytes is malformed: " + problem);
    }
}
