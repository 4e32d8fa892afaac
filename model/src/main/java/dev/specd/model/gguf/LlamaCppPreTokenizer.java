package dev.specd.model.gguf;

import java.util.List;
import java.util.Optional;

/**
 * The llama.cpp pre-tokenizers ({@code tokenizer.ggml.pre}) a byte-level BPE {@code tokenizer.json}
 * can map to. llama.cpp does not read a regex from the file: the name selects one compiled into
 * {@code llama-vocab.cpp}, together with whether BPE merges are skipped for words that are whole
 * tokens ({@code ignore_merges}). A tokenizer maps to a name only when both agree exactly.
 *
 * @param regexes the regex as Hugging Face tokenizers writes it first, then the spellings llama.cpp
 *     treats as the same (it rewrites case-insensitive contractions as {@code '[sS]})
 */
public record LlamaCppPreTokenizer(String name, List<String> regexes, boolean ignoreMerges) {

    /** GPT-2's pattern: ByteLevel's own ({@code use_regex: true}), with and without its final {@code |\s+}. */
    public static final String GPT2_REGEX =
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    /** Llama 3's (tiktoken cl100k's) pattern, as in Llama 3's tokenizer.json. */
    public static final String LLAMA3_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
            + "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    /** Qwen2's: Llama 3's with single digits. */
    public static final String QWEN2_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
            + "|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private static final String LLAMACPP_CONTRACTIONS = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])";
    private static final String HF_CONTRACTIONS = "(?i:'s|'t|'re|'ve|'m|'ll|'d)";

    /**
     * Those checked, in order of preference. {@code llama-bpe} and {@code smaug-bpe} run the same
     * regex; llama.cpp turns {@code ignore_merges} on for the first only.
     */
    public static final List<LlamaCppPreTokenizer> KNOWN = List.of(
            new LlamaCppPreTokenizer("gpt-2",
                    List.of(GPT2_REGEX, GPT2_REGEX.substring(0, GPT2_REGEX.lastIndexOf("|\\s+"))), false),
            of("llama-bpe", LLAMA3_REGEX, true),
            of("smaug-bpe", LLAMA3_REGEX, false),
            of("qwen2", QWEN2_REGEX, false));

    public LlamaCppPreTokenizer {
        regexes = List.copyOf(regexes);
        if (regexes.isEmpty()) {
            throw new IllegalArgumentException("pre-tokenizer " + name + " needs a regex");
        }
    }

    private static LlamaCppPreTokenizer of(String name, String regex, boolean ignoreMerges) {
        return new LlamaCppPreTokenizer(name, List.of(regex, regex.replace(HF_CONTRACTIONS, LLAMACPP_CONTRACTIONS)),
                ignoreMerges);
    }

    /** The pre-tokenizer that splits exactly like {@code regex} and treats merges alike, if any. */
    public static Optional<LlamaCppPreTokenizer> matching(String regex, boolean ignoreMerges) {
        return KNOWN.stream().filter(known -> known.regexes.contains(regex) && known.ignoreMerges == ignoreMerges)
                .findFirst();
    }

    public static Optional<LlamaCppPreTokenizer> named(String name) {
        return KNOWN.stream().filter(known -> known.name.equals(name)).findFirst();
    }

    /** The regex in Hugging Face's spelling. */
    public String regex() {
        return regexes.getFirst();
    }
}
