package dev.specd.serving;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.specd.model.ModelConfig;
import dev.specd.model.Tokenizer;
import dev.specd.model.llama.LlamaWeights;
import dev.specd.model.safetensors.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import java.util.SplittableRandom;

/**
 * A models directory written by the tests: random tiny target and draft checkpoints and a byte-level
 * BPE tokenizer.json (256 byte tokens, a few merges, one special token), as {@code serve} expects
 * ({@code target/} and {@code draft/}, each with its tokenizer).
 */
public final class TinyModels {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] MERGES = {"Ġ t", "h e", "Ġt he", "Ġ a", "i n"};
    static final int VOCAB = 256 + MERGES.length + 1;
    static final String END_OF_TEXT = "<|endoftext|>";
    /** Peaked enough that greedy decoding is far from ties, and that the draft sometimes agrees. */
    private static final double STD = 0.3;
    private static final long TARGET_SEED = 1;

    private TinyModels() {}

    /**
     * Writes {@code dir/target} and {@code dir/draft}. No EOS, so that generations end at
     * max_tokens or a stop string only and their lengths are known in advance.
     */
    public static Path write(Path dir, int contextLength) throws IOException {
        return write(dir, contextLength, 48, 2);
    }

    /** As {@link #write(Path, int)} with a target of the given size: larger ones make generations slower. */
    public static Path write(Path dir, int contextLength, int targetHidden, int targetLayers) throws IOException {
        ModelConfig target = config(targetHidden, targetLayers, contextLength);
        ModelConfig draft = config(16, 1, contextLength);
        LlamaWeights.write(dir.resolve("target"), target, targetWeights(target), DType.F32);
        LlamaWeights.write(dir.resolve("draft"), draft, LlamaWeights.initialise(draft, 2, STD), DType.F32);
        writeTokenizer(dir.resolve("target"));
        writeTokenizer(dir.resolve("draft"));
        return dir;
    }

    /** The target's weights as {@link #write} makes them; registered as a draft version, one that agrees with it. */
    public static SortedMap<String, float[]> targetWeights(ModelConfig target) {
        return LlamaWeights.initialise(target, TARGET_SEED, STD);
    }

    /**
     * A pair whose draft can learn its target in a few hundred steps (the draft trainer's recipe):
     * a target whose next token depends mostly on the current one (embeddings N(0, 1), head
     * N(0, 0.4²), the rest N(0, 0.15²): peaked logits), and a one-layer draft of the same width
     * from another seed, which starts far from it.
     */
    public static Path writeLearnable(Path dir, int contextLength) throws IOException {
        ModelConfig target = config(32, 2, contextLength);
        SortedMap<String, float[]> weights = LlamaWeights.initialise(target, 1, 0.15);
        SplittableRandom random = new SplittableRandom(1001);
        fill(weights.get(LlamaWeights.EMBED), 1.0, random);
        fill(weights.get(LlamaWeights.LM_HEAD), 0.4, random);
        ModelConfig draft = config(32, 1, contextLength);
        LlamaWeights.write(dir.resolve("target"), target, weights, DType.F32);
        LlamaWeights.write(dir.resolve("draft"), draft, LlamaWeights.initialise(draft, 2, STD), DType.F32);
        writeTokenizer(dir.resolve("target"));
        writeTokenizer(dir.resolve("draft"));
        return dir;
    }

    private static void fill(float[] values, double std, SplittableRandom random) {
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextGaussian() * std);
        }
    }

    private static ModelConfig config(int hidden, int layers, int contextLength) {
        return new ModelConfig(ModelConfig.LLAMA, VOCAB, hidden, hidden * 2, layers, 2, 1, hidden / 2, 10000.0, 1.0,
                1e-5, false, false, false, contextLength, contextLength, -1, List.of(), "float32");
    }

    private static void writeTokenizer(Path dir) throws IOException {
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
                .put("id", 256 + MERGES.length).put("content", END_OF_TEXT).put("single_word", false)
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
        JSON.writeValue(dir.resolve(Tokenizer.FILE_NAME).toFile(), tokenizer);
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
