package dev.specd.querylog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopLogprobsCodecTest {

    @Test
    void positionsWithDifferentCountsRoundTrip() throws IOException {
        List<TopLogprobs> positions = List.of(
                new TopLogprobs(new int[] {5, 9}, new float[] {-0.5f, -2f}, 0.1f),
                new TopLogprobs(new int[0], new float[0], 1f),
                new TopLogprobs(new int[] {7}, new float[] {Float.NEGATIVE_INFINITY}, 1e-12f));

        assertEquals(positions, TopLogprobsCodec.decode(TopLogprobsCodec.encode(positions)));
    }

    @Test
    void idsTakeTwoBytesWhenTheyFitSixteenBitsAndFourOtherwise() throws IOException {
        List<TopLogprobs> small = List.of(new TopLogprobs(new int[] {0, 65_535}, new float[] {-1, -2}, 0f));
        List<TopLogprobs> large = List.of(new TopLogprobs(new int[] {0, 151_935}, new float[] {-1, -2}, 0f));
        List<TopLogprobs> negative = List.of(new TopLogprobs(new int[] {-1, 3}, new float[] {-1, -2}, 0f));

        byte[] smallBlob = TopLogprobsCodec.encode(small);
        byte[] largeBlob = TopLogprobsCodec.encode(large);

        assertEquals(2 * 2, largeBlob.length - smallBlob.length);
        assertEquals(small, TopLogprobsCodec.decode(smallBlob));
        assertEquals(large, TopLogprobsCodec.decode(largeBlob));
        assertEquals(negative, TopLogprobsCodec.decode(TopLogprobsCodec.encode(negative)));
    }

    @Test
    void noPositionsRoundTrip() throws IOException {
        assertEquals(List.of(), TopLogprobsCodec.decode(TopLogprobsCodec.encode(List.of())));
    }

    @Test
    void logprobsKeepHalfPrecision() throws IOException {
        float[] logprobs = {-1e-4f, -0.1234567f, -3.3333333f, -17.777f, -123.456f};
        List<TopLogprobs> positions = List.of(new TopLogprobs(new int[5], logprobs, 0f));

        float[] stored = TopLogprobsCodec.decode(TopLogprobsCodec.encode(positions)).getFirst().logprobs();

        for (int i = 0; i < logprobs.length; i++) {
            assertEquals(TopLogprobsCodec.stored(logprobs[i]), stored[i]);
            double relativeError = Math.abs((stored[i] - logprobs[i]) / logprobs[i]);
            assertTrue(relativeError <= 0x1p-11, logprobs[i] + " came back as " + stored[i]);
        }
    }

    @Test
    void malformedBlobsAreRefusedClearly() {
        byte[] blob = TopLogprobsCodec.encode(List.of(new TopLogprobs(new int[] {1, 2}, new float[] {-1, -2}, 0.5f)));

        IOException truncated = assertThrows(IOException.class,
                () -> TopLogprobsCodec.decode(Arrays.copyOf(blob, blob.length - 1)));
        IOException padded = assertThrows(IOException.class,
                () -> TopLogprobsCodec.decode(Arrays.copyOf(blob, blob.length + 4)));
        IOException headerOnly = assertThrows(IOException.class, () -> TopLogprobsCodec.decode(new byte[3]));

        assertTrue(truncated.getMessage().contains("malformed"), truncated.getMessage());
        assertTrue(padded.getMessage().contains("malformed"), padded.getMessage());
        assertTrue(headerOnly.getMessage().contains("truncated"), headerOnly.getMessage());
    }
}
