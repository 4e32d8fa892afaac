package dev.specd.trainer.pretrain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.specd.model.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A byte-level BPE {@code tokenizer.json} written by hand for tests: the 256 byte symbols
 * (ids 0–255), a few merges, and {@code <|endoftext|>} as the last id.
 */
final class HandMadeTokenizer {

    static final String[] MERGES = {"Ġ t", "h e", "Ġt he", "Ġ a", "i n", "o n", "e r"};
    static final int VOCAB_SIZE = 256 + MERGES.length + 1;
    static final int END_OF_TEXT = VOCAB_SIZE - 1;

    private HandMadeTokenizer() {}

    static Path write(Path dir) throws IOException {
        ObjectMapper json = new ObjectMapper();
        String[] byteSymbols = gpt2ByteSymbols();
        ObjectNode vocab = json.createObjectNode();
        for (int b = 0; b < 256; b++) {
            vocab.put(byteSymbols[b], b);
        }
        ArrayNode merges = json.createArrayNode();
        for (int i = 0; i < MERGES.length; i++) {
            vocab.put(MERGES[i].replace(" ", ""), 256 + i);
            merges.add(MERGES[i]);
        }
        ObjectNode tokenizer = json.createObjectNode();
        tokenizer.put("version", "1.0");
        tokenizer.putNull("truncation");
        tokenizer.putNull("padding");
        tokenizer.putArray("added_tokens").addObject()
                .put("id", END_OF_TEXT).put("content", PairTraining.END_OF_TEXT).put("single_word", false)
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
        Files.createDirectories(dir);
        json.writeValue(dir.resolve(Tokenizer.FILE_NAME).toFile(), tokenizer);
        return dir;
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
