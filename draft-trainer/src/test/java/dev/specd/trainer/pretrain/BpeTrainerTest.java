package dev.specd.trainer.pretrain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BpeTrainerTest {

    private static final int VOCAB_SIZE = 700;
    private static final Map<String, String> RAW = Map.of("addSpecialTokens", "false", "truncation", "false");

    @TempDir
    static Path dir;

    private static BpeTokenizerModel model;

    @BeforeAll
    static void train() throws IOException {
        model = BpeTrainer.train(SampleText.documents(60, 1), VOCAB_SIZE, SpecialTokens.DEFAULT);
        model.writeHuggingFace(dir, 2048);
    }

    @Test
    void vocabularyHasTheRequestedSize() throws IOException {
        assertEquals(VOCAB_SIZE, model.vocabSize());
        JsonNode json = new ObjectMapper().readTree(dir.resolve("tokenizer.json").toFile());
        assertEquals(VOCAB_SIZE, json.at("/model/vocab").size());
        assertEquals(VOCAB_SIZE - 2 - 256, json.at("/model/merges").size());
    }

    @Test
    void randomUnicodeRoundTripsThroughDjlAndMatchesTheJavaEncoder() throws IOException {
        Random random = new Random(7);
        try (HuggingFaceTokenizer djl = HuggingFaceTokenizer.newInstance(dir, RAW)) {
            for (int n = 0; n < 400; n++) {
                String text = randomText(random);
                long[] djlIds = djl.encode(text).getIds();
                int[] javaIds = model.encode(text);
                assertArrayEquals(toLongs(javaIds), djlIds, () -> "ids differ for " + describe(text));
                assertEquals(text, djl.decode(djlIds), () -> "DJL round trip of " + describe(text));
                assertEquals(text, model.decode(javaIds), () -> "Java round trip of " + describe(text));
            }
        }
    }

    @Test
    void bytesNeverSeenInTrainingStillRoundTrip() throws IOException {
        String unseen = "Grüße, 東京 🚀 \u0000\u0007\u00ff\u0301e\u200d\u2028 \u3000 \ufeff";
        try (HuggingFaceTokenizer djl = HuggingFaceTokenizer.newInstance(dir, RAW)) {
            long[] ids = djl.encode(unseen).getIds();
            assertArrayEquals(toLongs(model.encode(unseen)), ids);
            assertEquals(unseen, djl.decode(ids));
        }
    }

    @Test
    void codeAndProseAgreeWithDjl() throws IOException {
        List<String> heldOut = SampleText.documents(6, 99);
        try (HuggingFaceTokenizer djl = HuggingFaceTokenizer.newInstance(dir, RAW)) {
            for (String document : heldOut) {
                assertArrayEquals(toLongs(model.encode(document)), djl.encode(document).getIds());
            }
        }
    }

    @Test
    void mergesCompressHeldOutText() {
        long bytes = 0;
        long tokens = 0;
        for (String document : SampleText.documents(6, 99)) {
            bytes += document.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            tokens += model.encode(document).length;
        }
        double tokensPerByte = (double) tokens / bytes;
        assertTrue(tokensPerByte < 0.35, "tokens per byte " + tokensPerByte);
    }

    @Test
    void specialTokensAreMatchedVerbatimAndPrependedAsBos() throws IOException {
        String text = "end<|endoftext|>start<|pad|>";
        int[] ids = model.encode(text);
        int[] expected = IntStream.concat(
                        IntStream.concat(Arrays.stream(model.encode("end")), IntStream.of(SpecialTokens.DEFAULT.endOfTextId())),
                        IntStream.concat(Arrays.stream(model.encode("start")), IntStream.of(SpecialTokens.DEFAULT.paddingId())))
                .toArray();
        assertArrayEquals(expected, ids);
        try (HuggingFaceTokenizer withSpecials = HuggingFaceTokenizer.newInstance(dir, Map.of("truncation", "false"))) {
            long[] djlIds = withSpecials.encode(text).getIds();
            assertEquals(SpecialTokens.DEFAULT.endOfTextId(), djlIds[0]);
            assertArrayEquals(toLongs(ids), Arrays.copyOfRange(djlIds, 1, djlIds.length));
            assertEquals("endstart", withSpecials.decode(djlIds, true));
        }
    }

    @Test
    void trainingIsDeterministicAndIndependentOfDocumentOrder(@TempDir Path again) throws IOException {
        List<String> shuffled = new ArrayList<>(SampleText.documents(60, 1));
        Collections.shuffle(shuffled, new Random(3));
        BpeTrainer.train(shuffled, VOCAB_SIZE, SpecialTokens.DEFAULT).writeHuggingFace(again, 2048);
        for (String file : List.of("tokenizer.json", "tokenizer_config.json")) {
            assertArrayEquals(Files.readAllBytes(dir.resolve(file)), Files.readAllBytes(again.resolve(file)), file);
        }
    }

    @Test
    void stopsEarlyWhenTheTextRunsOutOfPairs() {
        BpeTokenizerModel tiny = BpeTrainer.train(List.of("abab"), 1000, SpecialTokens.DEFAULT);
        assertEquals(2 + 256 + 2, tiny.vocabSize());
        assertEquals(1, tiny.encode("abab").length);
    }

    /** Mixes the scripts and code point classes most likely to trip a byte-level tokenizer. */
    private static String randomText(Random random) {
        int[][] ranges = {
            {0x20, 0x7e}, {0x20, 0x7e}, {0x00, 0x1f}, {0x80, 0xff}, {0x300, 0x36f}, {0x400, 0x4ff},
            {0x4e00, 0x9fff}, {0x1f300, 0x1faff}, {0x2000, 0x206f}, {0x3000, 0x303f}, {0xac00, 0xd7a3},
            {0x0, 0x10ffff},
        };
        StringBuilder text = new StringBuilder();
        int length = 1 + random.nextInt(30);
        while (text.codePointCount(0, text.length()) < length) {
            int[] range = ranges[random.nextInt(ranges.length)];
            int codePoint = range[0] + random.nextInt(range[1] - range[0] + 1);
            if (codePoint < Character.MIN_SURROGATE || codePoint > Character.MAX_SURROGATE) {
                text.appendCodePoint(codePoint);
            }
        }
        return text.toString();
    }

    private static String describe(String text) {
        return text.codePoints().mapToObj(c -> "U+" + Integer.toHexString(c)).toList().toString();
    }

    private static long[] toLongs(int[] ids) {
        return Arrays.stream(ids).asLongStream().toArray();
    }
}
