package dev.specd.trainer.pretrain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TokenStreamTest {

    /** Domain "low" holds ids 0..999, domain "high" ids 1000..1999: a window's ids say where it came from. */
    private static final TokenizedDomain LOW = domain("low", 0);
    private static final TokenizedDomain HIGH = domain("high", 1000);

    @Test
    void aBatchDependsOnlyOnSeedAndStep() {
        TokenStream stream = new TokenStream(List.of(LOW, HIGH), Map.of("low", 1.0, "high", 1.0), 7);
        TokenStream again = new TokenStream(List.of(LOW, HIGH), Map.of("low", 1.0, "high", 1.0), 7);
        assertArrayEquals(stream.batch(5, 4, 16).tokens(), again.batch(5, 4, 16).tokens());
        assertFalse(Arrays.equals(stream.batch(5, 4, 16).tokens(), stream.batch(6, 4, 16).tokens()));
        assertFalse(Arrays.equals(stream.batch(5, 4, 16).tokens(),
                new TokenStream(List.of(LOW, HIGH), Map.of("low", 1.0, "high", 1.0), 8).batch(5, 4, 16).tokens()));
    }

    @Test
    void windowsAreContiguousRunsOfOneDomain() {
        TokenStream stream = new TokenStream(List.of(LOW, HIGH), Map.of("low", 1.0, "high", 1.0), 1);
        long[] tokens = stream.batch(0, 8, 10).tokens();
        for (int row = 0; row < 8; row++) {
            for (int t = 1; t < 11; t++) {
                assertEquals(tokens[row * 11 + t - 1] + 1, tokens[row * 11 + t]);
            }
        }
    }

    @Test
    void domainsAreMixedByWeight() {
        TokenStream stream = new TokenStream(List.of(LOW, HIGH), Map.of("low", 3.0, "high", 1.0), 1);
        int low = 0;
        int rows = 0;
        for (int step = 0; step < 500; step++) {
            long[] tokens = stream.batch(step, 8, 4).tokens();
            for (int row = 0; row < 8; row++, rows++) {
                low += tokens[row * 5] < 1000 ? 1 : 0;
            }
        }
        assertEquals(0.75, (double) low / rows, 0.02);
        TokenStream lowOnly = new TokenStream(List.of(LOW, HIGH), Map.of("low", 1.0), 1);
        assertTrue(Arrays.stream(lowOnly.batch(3, 16, 4).tokens()).allMatch(t -> t < 1000));
        assertEquals(List.of(LOW), lowOnly.domains());
    }

    @Test
    void heldOutWindowsSpanTheHeldOutStreamEvenly() {
        TokenStream.Batch windows = TokenStream.heldOutWindows(LOW, 3, 9);
        assertEquals(0, windows.tokens()[0], "first window at the start");
        assertEquals(45, windows.tokens()[10], "second in the middle of 100 held-out tokens");
        assertEquals(99, windows.tokens()[29], "last one ends at the end");
    }

    @Test
    void unknownDomainsAndShortStreamsAreErrors() {
        assertThrows(IllegalArgumentException.class, () -> new TokenStream(List.of(LOW), Map.of("python", 1.0), 1));
        TokenStream stream = new TokenStream(List.of(LOW), Map.of("low", 1.0), 1);
        assertThrows(IllegalArgumentException.class, () -> stream.batch(0, 1, 1000));
    }

    private static TokenizedDomain domain(String name, int first) {
        int[] train = IntStream.range(first, first + 1000).toArray();
        int[] heldOut = IntStream.range(0, 100).toArray();
        return new TokenizedDomain(name, train, heldOut, new int[] {0}, 1000, 100);
    }
}
