package dev.specd.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DJL's tokenizer on a small hand-made byte-level BPE {@code tokenizer.json}. */
class TokenizerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] MERGES = {"Ġ t", "h e", "Ġt he", "Ġ a", "i n"};

    @TempDir
    static Path dir;

    @BeforeAll
    static void writeTokenizer() throws IOException {
        String[] byteSymbols = gpt2ByteSymbols();
        ObjectNode vocab = JSON.createObjectNode();
        for (int b = 0; b < 256; b++) {
            vocab.put(byteSymbols[b], b);
        }
        ArrayNode merges = JSON.createArrayNode();
        for (int i = 0; i < MERGES.length; i++) {
            vocab.put(MERGES[i].replace(" ", ""), 256 + i);
            merges.add(MERGES[i]);
        }
        ObjectNode tokenizer = JSON.createObjectNode();
        tokenizer.put("version", "1.0");
        tokenizer.putNull("truncation");
        tokenizer.putNull("padding");
        tokenizer.putArray("added_tokens").addObject()
                .put("id", 256 + MERGES.length).put("content", "<|endoftext|>").put("single_word", false)
                .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
        tokenizer.putNull("normalizer");
        tokenizer.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", false)
                .put("trim_offsets", true).put("use_regex", true);
        tokenizer.putNull("post_processor");
        tokenizer.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", false)
                .put("trim_offsets", true).put("use_regex", true);
        ObjectNode model = tokenizer.putObject("model");
        model.put("type", "BPE").putNull("dropout");
        model.putNull("unk_token");
        model.put("fuse_unk", false).put("byte_fallback", false);
        model.set("vocab", vocab);
        model.set("merges", merges);
        JSON.writeValue(dir.resolve(Tokenizer.FILE_NAME).toFile(), tokenizer);
    }

    @Test
    void encodesWithMergesAndDecodesBack() throws IOException {
        try (Tokenizer tokenizer = Tokenizer.load(dir)) {
            int[] ids = tokenizer.encode("in the");
            assertArrayEquals(new int[] {260, 258}, ids); // "in", "Ġthe"
            assertEquals("in the", tokenizer.decode(ids));
        }
    }

    @Test
    void roundTripsArbitraryUtf8WithoutTruncation() throws IOException {
        List<String> texts = new ArrayList<>(List.of(
                "naïve café — 東京 🚀 \u0000\u0007 tabs\tand\r\nnewlines", "e\u0301 combining", "  leading spaces"));
        texts.add("long ".repeat(3000)); // far past any default 512-token truncation
        try (Tokenizer tokenizer = Tokenizer.load(dir.resolve(Tokenizer.FILE_NAME))) {
            for (String text : texts) {
                assertEquals(text, tokenizer.decode(tokenizer.encode(text)));
            }
            assertTrue(tokenizer.encode("long ".repeat(3000)).length > 3000);
        }
    }

    @Test
    void specialTokensAreLeftOutOfDecodedText() throws IOException {
        try (Tokenizer tokenizer = Tokenizer.load(dir)) {
            assertEquals("the", tokenizer.decode(new int[] {116, 104, 101, 256 + MERGES.length}));
        }
    }

    @Test
    void missingOrCorruptTokenizerIsAClearError(@TempDir Path empty) throws IOException {
        assertTrue(assertThrows(IOException.class, () -> Tokenizer.load(empty)).getMessage().contains("no tokenizer"));
        Files.writeString(empty.resolve(Tokenizer.FILE_NAME), "{\"model\": 3}");
        assertTrue(assertThrows(IOException.class, () -> Tokenizer.load(empty)).getMessage().contains("cannot load"));
    }

    /** GPT-2's reversible map from bytes to printable code points. */
    private static String[] gpt2ByteSymbols() {
        String[] symbols = new String[256];
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            symbols[b] = Character.toString(printable ? b : next++);
        }
        return symbols;
    }
}
