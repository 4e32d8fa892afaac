package dev.specd.model.gguf;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.specd.model.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Small byte-level BPE {@code tokenizer.json} files shaped like the ones {@code pretrain} writes:
 * special tokens {@code <|endoftext|>} (0) and {@code <|pad|>} (1), the 256 byte symbols, then
 * merges; a Split regex followed by a regex-free ByteLevel; a template that starts every text
 * with {@code <|endoftext|>}.
 */
final class TestTokenizers {

    static final String[] MERGES = {"Ġ t", "h e", "Ġt he", "Ġ a", "i n"};
    static final int SPECIALS = 2;
    static final int SIZE = SPECIALS + 256 + MERGES.length;

    /** specd's pretrain regex: cl100k's with case-sensitive contractions, which llama.cpp has no name for. */
    static final String SPECD_REGEX = "'s|'t|'re|'ve|'m|'ll|'d|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private static final ObjectMapper JSON = new ObjectMapper();

    private TestTokenizers() {}

    /** Token texts in id order. */
    static List<String> tokens() {
        List<String> tokens = new ArrayList<>(List.of("<|endoftext|>", "<|pad|>"));
        tokens.addAll(List.of(gpt2ByteSymbols()));
        for (String merge : MERGES) {
            tokens.add(merge.replace(" ", ""));
        }
        return tokens;
    }

    /** The specd layout with the given Split regex. */
    static ObjectNode splitThenByteLevel(String regex) {
        ObjectNode tokenizer = base();
        ObjectNode sequence = tokenizer.putObject("pre_tokenizer").put("type", "Sequence");
        ArrayNode steps = sequence.putArray("pretokenizers");
        ObjectNode split = steps.addObject().put("type", "Split");
        split.putObject("pattern").put("Regex", regex);
        split.put("behavior", "Isolated").put("invert", false);
        steps.add(byteLevel(false));
        ObjectNode template = tokenizer.putObject("post_processor").put("type", "TemplateProcessing");
        template.putArray("single").add(special("<|endoftext|>")).add(sequence("A"));
        template.putArray("pair").add(special("<|endoftext|>")).add(sequence("A"))
                .add(special("<|endoftext|>")).add(sequence("B"));
        ObjectNode endOfText = template.putObject("special_tokens").putObject("<|endoftext|>");
        endOfText.put("id", "<|endoftext|>");
        endOfText.putArray("ids").add(0);
        endOfText.putArray("tokens").add("<|endoftext|>");
        return tokenizer;
    }

    /** GPT-2's layout: ByteLevel with its own regex, no post-processor. */
    static ObjectNode gpt2() {
        ObjectNode tokenizer = base();
        tokenizer.set("pre_tokenizer", byteLevel(true));
        tokenizer.putNull("post_processor");
        return tokenizer;
    }

    static void write(ObjectNode tokenizer, Path dir) throws IOException {
        JSON.writeValue(dir.resolve(Tokenizer.FILE_NAME).toFile(), tokenizer);
    }

    static void writeConfig(Path dir) throws IOException {
        JSON.writeValue(dir.resolve(GgufTokenizer.CONFIG_FILE).toFile(), JSON.createObjectNode()
                .put("tokenizer_class", "PreTrainedTokenizerFast").put("bos_token", "<|endoftext|>")
                .put("eos_token", "<|endoftext|>").put("pad_token", "<|pad|>"));
    }

    private static ObjectNode base() {
        List<String> tokens = tokens();
        ObjectNode tokenizer = JSON.createObjectNode();
        tokenizer.put("version", "1.0");
        tokenizer.putNull("truncation");
        tokenizer.putNull("padding");
        ArrayNode added = tokenizer.putArray("added_tokens");
        for (int id = 0; id < SPECIALS; id++) {
            added.addObject().put("id", id).put("content", tokens.get(id)).put("single_word", false)
                    .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
        }
        tokenizer.putNull("normalizer");
        tokenizer.set("decoder", byteLevel(false));
        ObjectNode model = tokenizer.putObject("model");
        model.put("type", "BPE").putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false).put("byte_fallback", false).put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < tokens.size(); id++) {
            vocab.put(tokens.get(id), id);
        }
        ArrayNode merges = model.putArray("merges");
        for (String merge : MERGES) {
            merges.add(merge);
        }
        return tokenizer;
    }

    private static ObjectNode byteLevel(boolean useRegex) {
        return JSON.createObjectNode().put("type", "ByteLevel").put("add_prefix_space", false)
                .put("trim_offsets", false).put("use_regex", useRegex);
    }

    private static ObjectNode special(String token) {
        ObjectNode piece = JSON.createObjectNode();
        piece.putObject("SpecialToken").put("id", token).put("type_id", 0);
        return piece;
    }

    private static ObjectNode sequence(String id) {
        ObjectNode piece = JSON.createObjectNode();
        piece.putObject("Sequence").put("id", id).put("type_id", 0);
        return piece;
    }

    /** GPT-2's reversible map from bytes to printable code points. */
    static String[] gpt2ByteSymbols() {
        String[] symbols = new String[256];
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            symbols[b] = Character.toString(printable ? b : next++);
        }
        return symbols;
    }
}
