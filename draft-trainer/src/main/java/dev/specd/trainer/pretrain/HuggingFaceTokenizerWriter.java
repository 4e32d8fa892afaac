package dev.specd.trainer.pretrain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a {@link BpeTokenizerModel} as Hugging Face files: {@code tokenizer.json} (read by the
 * Rust tokenizers library, and so by DJL and {@code transformers}' fast tokenizers) and
 * {@code tokenizer_config.json}. Output is byte-for-byte a function of the model.
 */
final class HuggingFaceTokenizerWriter {

    static final String TOKENIZER_FILE = "tokenizer.json";
    static final String CONFIG_FILE = "tokenizer_config.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private HuggingFaceTokenizerWriter() {}

    static void write(BpeTokenizerModel model, Path dir, int modelMaxLength) throws IOException {
        Files.createDirectories(dir);
        JSON.writeValue(dir.resolve(TOKENIZER_FILE).toFile(), tokenizer(model));
        JSON.writeValue(dir.resolve(CONFIG_FILE).toFile(), config(model.specialTokens(), modelMaxLength));
    }

    private static ObjectNode tokenizer(BpeTokenizerModel model) {
        ObjectNode root = NODES.objectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        SpecialTokens special = model.specialTokens();
        for (String token : special.all()) {
            added.addObject()
                    .put("id", special.all().indexOf(token))
                    .put("content", token)
                    .put("single_word", false)
                    .put("lstrip", false)
                    .put("rstrip", false)
                    .put("normalized", false)
                    .put("special", true);
        }
        root.putNull("normalizer");
        root.set("pre_tokenizer", preTokenizer());
        root.set("post_processor", prependEndOfText(special));
        root.set("decoder", byteLevel());
        root.set("model", bpe(model));
        return root;
    }

    /** The regex split (see {@link PreTokenizer}), then bytes to GPT-2's alphabet with no regex of its own. */
    private static ObjectNode preTokenizer() {
        ObjectNode sequence = NODES.objectNode().put("type", "Sequence");
        ArrayNode steps = sequence.putArray("pretokenizers");
        ObjectNode split = steps.addObject().put("type", "Split");
        split.putObject("pattern").put("Regex", PreTokenizer.PATTERN);
        split.put("behavior", "Isolated").put("invert", false);
        steps.add(byteLevel());
        return sequence;
    }

    private static ObjectNode byteLevel() {
        return NODES.objectNode()
                .put("type", "ByteLevel")
                .put("add_prefix_space", false)
                .put("trim_offsets", false)
                .put("use_regex", false);
    }

    /**
     * With special tokens on, a sequence starts with the end-of-text token, as every training
     * document does: a prompt then reads as the start of a document (Llama's BOS convention).
     */
    private static ObjectNode prependEndOfText(SpecialTokens special) {
        ObjectNode template = NODES.objectNode().put("type", "TemplateProcessing");
        ArrayNode single = template.putArray("single");
        single.add(specialPiece(special.endOfText(), 0));
        single.add(sequencePiece("A", 0));
        ArrayNode pair = template.putArray("pair");
        pair.add(specialPiece(special.endOfText(), 0));
        pair.add(sequencePiece("A", 0));
        pair.add(specialPiece(special.endOfText(), 1));
        pair.add(sequencePiece("B", 1));
        ObjectNode specialTokens = template.putObject("special_tokens");
        ObjectNode endOfText = specialTokens.putObject(special.endOfText()).put("id", special.endOfText());
        endOfText.putArray("ids").add(special.endOfTextId());
        endOfText.putArray("tokens").add(special.endOfText());
        return template;
    }

    private static ObjectNode specialPiece(String token, int typeId) {
        ObjectNode piece = NODES.objectNode();
        piece.putObject("SpecialToken").put("id", token).put("type_id", typeId);
        return piece;
    }

    private static ObjectNode sequencePiece(String id, int typeId) {
        ObjectNode piece = NODES.objectNode();
        piece.putObject("Sequence").put("id", id).put("type_id", typeId);
        return piece;
    }

    private static ObjectNode bpe(BpeTokenizerModel model) {
        ObjectNode bpe = NODES.objectNode().put("type", "BPE");
        bpe.putNull("dropout");
        bpe.putNull("unk_token");
        bpe.putNull("continuing_subword_prefix");
        bpe.putNull("end_of_word_suffix");
        bpe.put("fuse_unk", false);
        bpe.put("byte_fallback", false);
        bpe.put("ignore_merges", false);
        ObjectNode vocab = bpe.putObject("vocab");
        for (int id = 0; id < model.vocabSize(); id++) {
            String token = model.token(id);
            if (vocab.has(token)) {
                throw new IllegalStateException("token " + token + " has two ids: " + vocab.get(token) + " and " + id);
            }
            vocab.put(token, id);
        }
        // "left right" strings: byte-level tokens never contain a space, so this is unambiguous
        // and every tokenizers version reads it.
        ArrayNode merges = bpe.putArray("merges");
        for (BpeTokenizerModel.Merge merge : model.merges()) {
            merges.add(model.token(merge.left()) + " " + model.token(merge.right()));
        }
        return bpe;
    }

    private static ObjectNode config(SpecialTokens special, int modelMaxLength) {
        return NODES.objectNode()
                .put("tokenizer_class", "PreTrainedTokenizerFast")
                .put("bos_token", special.endOfText())
                .put("eos_token", special.endOfText())
                .put("pad_token", special.padding())
                .putNull("unk_token")
                .put("add_prefix_space", false)
                .put("clean_up_tokenization_spaces", false)
                .put("model_max_length", modelMaxLength);
    }
}
