package dev.specd.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.specd.verifier.StopCondition.Decision;
import dev.specd.verifier.StopCondition.Finish;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class StopConditionTest {

    /** A byte-level toy vocabulary: 0 is EOS (skipped when decoding), 7 and 8 split "€" (E2 82 AC). */
    static final byte[][] VOCAB = {
        {},
        bytes("Hel"),
        bytes("lo"),
        bytes(" wor"),
        bytes("ld"),
        bytes("!"),
        bytes("\n"),
        {(byte) 0xE2},
        {(byte) 0x82, (byte) 0xAC},
    };
    static final int EOS = 0;
    static final Set<Integer> STOP_IDS = Set.of(EOS);
    static final int[] NO_CONTEXT = {};

    /** Concatenates the tokens' bytes, then decodes UTF-8: partial characters become U+FFFD. */
    static final Function<int[], String> DECODE = ids -> {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int id : ids) {
            out.writeBytes(VOCAB[id]);
        }
        return out.toString(StandardCharsets.UTF_8);
    };

    static StopCondition condition(int maxTokens, String... stops) {
        return new StopCondition(STOP_IDS, maxTokens, List.of(stops), DECODE, NO_CONTEXT);
    }

    @Test
    void eosInsideABlockKeepsTokensUpToIt() {
        StopCondition stop = condition(100);
        Decision decision = stop.append(new int[] {1, 2, EOS, 3, 4});
        assertEquals(new Decision(3, Finish.EOS), decision);
        assertEquals("stop", decision.finish().openAiReason());
        assertEquals("Hello", stop.text(), "EOS has no text, and nothing after it is decoded");
        assertEquals(3, stop.generatedTokens());
        assertThrows(IllegalStateException.class, () -> stop.append(new int[] {5}));
    }

    @Test
    void maxTokensInsideABlockCutsTheBlock() {
        StopCondition stop = condition(3);
        assertEquals(new Decision(2, null), stop.append(new int[] {1, 2}));
        assertEquals(1, stop.remainingTokens());
        Decision decision = stop.append(new int[] {3, 4, 5});
        assertEquals(new Decision(1, Finish.MAX_TOKENS), decision);
        assertEquals("length", decision.finish().openAiReason());
        assertEquals("Hello wor", stop.text());
    }

    @Test
    void stopStringSpanningTwoTokensEndsTheTextBeforeIt() {
        StopCondition stop = condition(100, "lo w");
        // "Hel" + "lo" + " wor": the stop completes with token 3, so token 4 is never kept.
        assertEquals(new Decision(3, Finish.STOP_STRING), stop.append(new int[] {1, 2, 3, 4}));
        assertEquals("Hel", stop.text());
        assertEquals("Hel", stop.streamableText());
    }

    @Test
    void stopStringSpanningTwoBlocksIsHeldBackFromStreaming() {
        StopCondition stop = condition(100, "lo w");
        assertEquals(new Decision(1, null), stop.append(new int[] {1}));
        assertEquals("Hel", stop.text());
        assertEquals("He", stop.streamableText(), "the trailing l could start the stop string");
        assertEquals(new Decision(2, Finish.STOP_STRING), stop.append(new int[] {2, 3, 4}));
        assertEquals("Hel", stop.text());
    }

    @Test
    void earliestOfSeveralStopStringsWins() {
        StopCondition stop = condition(100, "ld", "lo");
        assertEquals(new Decision(2, Finish.STOP_STRING), stop.append(new int[] {1, 2, 3, 4}));
        assertEquals("Hel", stop.text());
    }

    @Test
    void stopStringBeatsMaxTokensOnTheSameToken() {
        StopCondition stop = condition(3, "wor");
        assertEquals(new Decision(3, Finish.STOP_STRING), stop.append(new int[] {1, 2, 3}));
        assertEquals("Hello ", stop.text());
    }

    @Test
    void charactersSplitAcrossTokensAreDecodedWhole() {
        StopCondition stop = condition(100, "€");
        assertEquals(new Decision(2, null), stop.append(new int[] {1, 7}));
        assertEquals("Hel", stop.text(), "the lone lead byte is not text yet");
        assertEquals(new Decision(1, Finish.STOP_STRING), stop.append(new int[] {8, 5}));
        assertEquals("Hel", stop.text());

        StopCondition plain = condition(100);
        plain.append(new int[] {7});
        assertEquals("", plain.text());
        plain.append(new int[] {8, 5});
        assertEquals("€!", plain.text());
    }

    @Test
    void aPartialCharacterAtTheEndIsFlushedWhenGenerationFinishes() {
        StopCondition stop = condition(100, "zzz");
        stop.append(new int[] {1, 7, EOS});
        assertEquals("Hel\uFFFD", stop.text());
    }

    @Test
    void streamableTextNeverShowsAPossibleStopPrefix() {
        StopCondition stop = condition(100, "\n\n");
        stop.append(new int[] {1, 6});
        assertEquals("Hel\n", stop.text());
        assertEquals("Hel", stop.streamableText());
        stop.append(new int[] {2});
        assertEquals("Hel\nlo", stop.streamableText());
        assertFalse(stop.finished());
        assertNull(stop.finish());
    }

    @Test
    void promptTailGivesTheFirstTokenItsContext() {
        // A SentencePiece-style decoder: pieces join with ▁ as space, and a leading space is dropped.
        String[] pieces = {"", "▁Hello", "▁world"};
        Function<int[], String> sentencePiece = ids -> {
            StringBuilder text = new StringBuilder();
            for (int id : ids) {
                text.append(pieces[id].replace('▁', ' '));
            }
            return text.toString().stripLeading();
        };
        StopCondition withTail = new StopCondition(STOP_IDS, 10, List.of(), sentencePiece, new int[] {1});
        withTail.append(new int[] {2, EOS});
        assertEquals(" world", withTail.text());

        StopCondition withoutTail = new StopCondition(STOP_IDS, 10, List.of(), sentencePiece, NO_CONTEXT);
        withoutTail.append(new int[] {2, 2, EOS});
        assertEquals("world world", withoutTail.text());
    }

    @Test
    void refusesInvalidLimits() {
        assertThrows(IllegalArgumentException.class, () -> condition(0));
        assertThrows(IllegalArgumentException.class, () -> condition(10, ""));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
