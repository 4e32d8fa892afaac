package dev.specd.model.gguf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.specd.model.ModelConfig;
import dev.specd.model.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A Hugging Face byte-level BPE {@code tokenizer.json} as llama.cpp's {@code gpt2} tokenizer model
 * reads it from GGUF. Everything that changes how text becomes ids must have a llama.cpp
 * counterpart; a tokenizer with a normalizer, byte fallback, word prefixes or suffixes, an
 * unknown pre-tokenizer or an unusual post-processor is refused rather than exported to tokenize
 * differently.
 *
 * @param tokens token texts in id order (byte-level symbols, as in the vocabulary)
 * @param tokenTypes llama.cpp token types, one per token
 * @param merges {@code "left right"} in rank order
 * @param preTokenizerForced the tokenizer's own regex differs from {@code preTokenizer}'s: the user
 *     chose it knowing some texts tokenize differently
 * @param addBos {@code bosTokenId} starts every encoded text (a TemplateProcessing post-processor)
 * @param addEos {@code eosTokenId} ends every encoded text
 */
public record GgufTokenizer(
        String preTokenizer,
        boolean preTokenizerForced,
        List<String> tokens,
        List<Integer> tokenTypes,
        List<String> merges,
        OptionalInt bosTokenId,
        int eosTokenId,
        OptionalInt paddingTokenId,
        boolean addBos,
        boolean addEos) {

    /** llama.cpp's {@code llama_token_type}. */
    public static final int NORMAL = 1;
    public static final int CONTROL = 3;
    public static final int USER_DEFINED = 4;
    public static final int UNUSED = 5;

    public static final String CONFIG_FILE = "tokenizer_config.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    public GgufTokenizer {
        tokens = List.copyOf(tokens);
        tokenTypes = List.copyOf(tokenTypes);
        merges = List.copyOf(merges);
        if (tokens.size() != tokenTypes.size()) {
            throw new IllegalArgumentException(tokens.size() + " tokens but " + tokenTypes.size() + " token types");
        }
    }

    /** The {@code tokenizer.ggml.*} keys. */
    public Map<String, GgufValue> metadata() {
        Map<String, GgufValue> keys = new LinkedHashMap<>();
        keys.put("tokenizer.ggml.model", new GgufValue.Text("gpt2"));
        keys.put("tokenizer.ggml.pre", new GgufValue.Text(preTokenizer));
        keys.put("tokenizer.ggml.tokens", new GgufValue.TextArray(tokens));
        keys.put("tokenizer.ggml.token_type", new GgufValue.Int32Array(tokenTypes));
        keys.put("tokenizer.ggml.merges", new GgufValue.TextArray(merges));
        bosTokenId.ifPresent(id -> keys.put("tokenizer.ggml.bos_token_id", new GgufValue.UInt32(id)));
        keys.put("tokenizer.ggml.eos_token_id", new GgufValue.UInt32(eosTokenId));
        paddingTokenId.ifPresent(id -> keys.put("tokenizer.ggml.padding_token_id", new GgufValue.UInt32(id)));
        keys.put("tokenizer.ggml.add_bos_token", new GgufValue.Bool(addBos));
        keys.put("tokenizer.ggml.add_eos_token", new GgufValue.Bool(addEos));
        return keys;
    }

    /**
     * Reads {@code tokenizer.json} (and {@code tokenizer_config.json} for the padding token, if
     * present) from a model directory.
     *
     * @param forcedPreTokenizer a llama.cpp pre-tokenizer name to use although the tokenizer's regex
     *     is not its regex, or null to refuse such a tokenizer
     */
    public static GgufTokenizer read(Path modelDir, ModelConfig config, String forcedPreTokenizer) throws IOException {
        Path file = modelDir.resolve(Tokenizer.FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new UnexportableModelException("no " + Tokenizer.FILE_NAME + " in " + modelDir
                    + ": a GGUF file carries its tokenizer");
        }
        JsonNode json = JSON.readTree(file.toFile());
        Path configFile = modelDir.resolve(CONFIG_FILE);
        JsonNode tokenizerConfig = Files.isRegularFile(configFile) ? JSON.readTree(configFile.toFile()) : null;
        return fromJson(json, tokenizerConfig, config, forcedPreTokenizer);
    }

    static GgufTokenizer fromJson(JsonNode json, JsonNode tokenizerConfig, ModelConfig config, String forcedPreTokenizer)
            throws UnexportableModelException {
        JsonNode normalizer = json.path("normalizer");
        if (!normalizer.isMissingNode() && !normalizer.isNull()) {
            throw refuse("it has a " + normalizer.path("type").asText("?") + " normalizer; llama.cpp's BPE "
                    + "tokenizers normalize nothing");
        }
        JsonNode model = json.path("model");
        checkModel(model);
        checkDecoder(json.path("decoder"));

        PreTokenizerChoice pre = preTokenizer(json.path("pre_tokenizer"), model.path("ignore_merges").asBoolean(false),
                forcedPreTokenizer);
        TreeMap<Integer, String> byId = new TreeMap<>();
        Map<Integer, Integer> types = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = model.path("vocab").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            put(byId, entry.getValue().asInt(), entry.getKey());
            types.put(entry.getValue().asInt(), NORMAL);
        }
        Map<String, Integer> idByContent = new LinkedHashMap<>();
        for (JsonNode added : json.path("added_tokens")) {
            String content = added.path("content").asText();
            int id = added.path("id").asInt();
            for (String flag : List.of("lstrip", "rstrip", "single_word")) {
                if (added.path(flag).asBoolean(false)) {
                    throw refuse("added token " + content + " has " + flag + ": true, which GGUF cannot record");
                }
            }
            put(byId, id, content);
            types.put(id, added.path("special").asBoolean(false) ? CONTROL : USER_DEFINED);
            idByContent.put(content, id);
        }
        byId.forEach((id, token) -> idByContent.putIfAbsent(token, id));
        if (byId.isEmpty()) {
            throw refuse("its vocabulary is empty");
        }
        if (byId.lastKey() >= config.vocabSize() || byId.firstKey() < 0) {
            throw refuse("it has token ids from " + byId.firstKey() + " to " + byId.lastKey()
                    + " but the model's vocab_size is " + config.vocabSize());
        }
        // Ids the tokenizer never produces still have embedding rows: name them as llama.cpp's converter does.
        List<String> tokens = new ArrayList<>(config.vocabSize());
        List<Integer> tokenTypes = new ArrayList<>(config.vocabSize());
        for (int id = 0; id < config.vocabSize(); id++) {
            tokens.add(byId.getOrDefault(id, "[PAD" + id + "]"));
            tokenTypes.add(types.getOrDefault(id, UNUSED));
        }

        Template template = template(json.path("post_processor"));
        if (config.eosTokenIds().size() != 1) {
            throw refuse("config.json names " + config.eosTokenIds().size() + " eos_token_id values "
                    + config.eosTokenIds() + "; GGUF records exactly one");
        }
        int eos = config.eosTokenIds().getFirst();
        if (template.eos() != null && template.eos() != eos) {
            throw refuse("its post-processor appends token " + template.eos() + " but config.json's eos_token_id is "
                    + eos + "; llama.cpp appends the eos token");
        }
        OptionalInt bos = template.bos() != null ? OptionalInt.of(template.bos())
                : config.bosTokenId() >= 0 ? OptionalInt.of(config.bosTokenId()) : OptionalInt.empty();
        return new GgufTokenizer(pre.name(), pre.forced(), tokens, tokenTypes, merges(model), bos, eos,
                paddingToken(tokenizerConfig, idByContent), template.bos() != null, template.eos() != null);
    }

    private static void checkModel(JsonNode model) throws UnexportableModelException {
        if (!model.path("type").asText("BPE").equals("BPE") || !model.has("merges")) {
            throw refuse("its model is " + model.path("type").asText("?") + ", not BPE");
        }
        if (model.path("byte_fallback").asBoolean(false)) {
            throw refuse("its BPE has byte_fallback, which llama.cpp's byte-level gpt2 tokenizer does not do");
        }
        for (String affix : List.of("continuing_subword_prefix", "end_of_word_suffix")) {
            if (!model.path(affix).asText("").isEmpty()) {
                throw refuse("its BPE has a " + affix + " (" + model.path(affix).asText() + "), which llama.cpp "
                        + "cannot apply");
            }
        }
        if (!model.path("dropout").isMissingNode() && !model.path("dropout").isNull()
                && model.path("dropout").asDouble() != 0) {
            throw refuse("its BPE has dropout " + model.path("dropout").asText());
        }
    }

    private static void checkDecoder(JsonNode decoder) throws UnexportableModelException {
        if (!decoder.isMissingNode() && !decoder.isNull() && !decoder.path("type").asText().equals("ByteLevel")) {
            throw refuse("its decoder is " + decoder.path("type").asText("?") + "; llama.cpp decodes byte-level "
                    + "BPE with ByteLevel");
        }
    }

    private record PreTokenizerChoice(String name, boolean forced) {}

    private static PreTokenizerChoice preTokenizer(JsonNode pre, boolean ignoreMerges, String forced)
            throws UnexportableModelException {
        String regex = preTokenizerRegex(pre);
        var match = LlamaCppPreTokenizer.matching(regex, ignoreMerges);
        if (match.isPresent() && (forced == null || forced.equals(match.get().name()))) {
            return new PreTokenizerChoice(match.get().name(), false);
        }
        String known = LlamaCppPreTokenizer.KNOWN.stream()
                .map(k -> k.name() + " (ignore_merges " + k.ignoreMerges() + "): " + k.regex())
                .collect(Collectors.joining("\n  "));
        if (forced == null) {
            throw refuse("no llama.cpp pre-tokenizer splits text like its pre-tokenizer regex\n  " + regex
                    + "\nwith ignore_merges " + ignoreMerges + ". llama.cpp selects its regex by name from a fixed "
                    + "list; the ones this exporter knows are\n  " + known
                    + "\n(--force-pre-tokenizer NAME exports anyway, and llama.cpp will then cut some texts "
                    + "into different tokens than specd does)");
        }
        if (LlamaCppPreTokenizer.named(forced).isEmpty()) {
            throw refuse("--force-pre-tokenizer " + forced + " is not one of\n  " + known);
        }
        return new PreTokenizerChoice(forced, true);
    }

    /**
     * The regex the pre-tokenizer splits with: ByteLevel's own GPT-2 regex, or a Split's followed
     * by a ByteLevel that only maps bytes.
     */
    private static String preTokenizerRegex(JsonNode pre) throws UnexportableModelException {
        String type = pre.path("type").asText("");
        if (type.equals("ByteLevel")) {
            checkByteLevel(pre);
            if (!pre.path("use_regex").asBoolean(true)) {
                throw refuse("its pre-tokenizer is a ByteLevel without a regex: llama.cpp always splits words first");
            }
            return LlamaCppPreTokenizer.GPT2_REGEX;
        }
        JsonNode steps = pre.path("pretokenizers");
        if (type.equals("Sequence") && steps.size() == 2 && steps.get(0).path("type").asText().equals("Split")
                && steps.get(1).path("type").asText().equals("ByteLevel")) {
            JsonNode split = steps.get(0);
            checkByteLevel(steps.get(1));
            if (steps.get(1).path("use_regex").asBoolean(true)) {
                throw refuse("its ByteLevel pre-tokenizer splits again with GPT-2's regex after the Split");
            }
            if (!split.path("behavior").asText().equals("Isolated") || split.path("invert").asBoolean(false)) {
                throw refuse("its Split pre-tokenizer has behavior " + split.path("behavior").asText()
                        + " and invert " + split.path("invert").asBoolean(false)
                        + "; llama.cpp's splits keep every match as its own piece (Isolated, not inverted)");
            }
            JsonNode regex = split.path("pattern").path("Regex");
            if (!regex.isTextual()) {
                throw refuse("its Split pre-tokenizer splits on a literal string, not a regex");
            }
            return regex.asText();
        }
        throw refuse("its pre-tokenizer " + pre + " is not a byte-level one llama.cpp implements (ByteLevel, or "
                + "Sequence[Split(regex), ByteLevel(use_regex=false)])");
    }

    private static void checkByteLevel(JsonNode byteLevel) throws UnexportableModelException {
        if (byteLevel.path("add_prefix_space").asBoolean(false)) {
            throw refuse("its ByteLevel pre-tokenizer adds a prefix space, which llama.cpp's gpt2 tokenizer does not");
        }
    }

    /** The special tokens a TemplateProcessing post-processor puts around a single sequence. */
    private record Template(Integer bos, Integer eos) {}

    private static Template template(JsonNode post) throws UnexportableModelException {
        if (post.isMissingNode() || post.isNull() || post.path("type").asText().equals("ByteLevel")) {
            return new Template(null, null);
        }
        if (!post.path("type").asText().equals("TemplateProcessing")) {
            throw refuse("its post-processor is " + post.path("type").asText("?")
                    + "; GGUF can only say whether a bos token starts and an eos token ends each text");
        }
        List<JsonNode> pieces = new ArrayList<>();
        post.path("single").forEach(pieces::add);
        int sequence = -1;
        for (int i = 0; i < pieces.size(); i++) {
            if (pieces.get(i).has("Sequence")) {
                if (sequence >= 0) {
                    throw refuse("its post-processor template repeats the sequence: " + post.path("single"));
                }
                sequence = i;
            }
        }
        if (sequence < 0 || sequence > 1 || pieces.size() - sequence > 2) {
            throw refuse("its post-processor template " + post.path("single") + " is not [bos] text [eos]");
        }
        Integer bos = sequence == 1 ? specialId(post, pieces.getFirst()) : null;
        Integer eos = pieces.size() - sequence == 2 ? specialId(post, pieces.getLast()) : null;
        return new Template(bos, eos);
    }

    private static int specialId(JsonNode post, JsonNode piece) throws UnexportableModelException {
        String name = piece.path("SpecialToken").path("id").asText(null);
        JsonNode ids = post.path("special_tokens").path(name == null ? "" : name).path("ids");
        if (name == null || ids.size() != 1) {
            throw refuse("its post-processor template adds " + piece + ", not a single special token");
        }
        return ids.get(0).asInt();
    }

    private static List<String> merges(JsonNode model) throws UnexportableModelException {
        List<String> merges = new ArrayList<>();
        for (JsonNode merge : model.path("merges")) {
            String left;
            String right;
            if (merge.isArray() && merge.size() == 2) {
                left = merge.get(0).asText();
                right = merge.get(1).asText();
            } else {
                String text = merge.asText();
                int space = text.indexOf(' ', 1);
                if (space < 0 || text.indexOf(' ', space + 1) >= 0) {
                    throw refuse("merge '" + text + "' is not two symbols separated by one space");
                }
                left = text.substring(0, space);
                right = text.substring(space + 1);
            }
            // llama.cpp splits each merge at its first space after the first character.
            if (left.isEmpty() || right.isEmpty() || left.indexOf(' ', 1) >= 0 || right.contains(" ")) {
                throw refuse("merge [" + left + ", " + right + "] has a symbol with a space, which GGUF's "
                        + "\"left right\" merges cannot hold");
            }
            merges.add(left + " " + right);
        }
        return merges;
    }

    private static OptionalInt paddingToken(JsonNode tokenizerConfig, Map<String, Integer> idByContent) {
        if (tokenizerConfig == null) {
            return OptionalInt.empty();
        }
        JsonNode pad = tokenizerConfig.path("pad_token");
        String content = pad.isObject() ? pad.path("content").asText(null) : pad.isTextual() ? pad.asText() : null;
        Integer id = content == null ? null : idByContent.get(content);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    private static void put(Map<Integer, String> byId, int id, String token) throws UnexportableModelException {
        String previous = byId.putIfAbsent(id, token);
        if (previous != null && !previous.equals(token)) {
            throw refuse("token id " + id + " is both " + previous + " and " + token);
        }
    }

    private static UnexportableModelException refuse(String why) {
        return new UnexportableModelException("cannot export the tokenizer to GGUF: " + why);
    }
}
