package dev.specd.trainer.pretrain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.specd.model.LogitsProcessor;
import dev.specd.model.SamplingParams;
import dev.specd.model.Tokenizer;
import dev.specd.model.llama.Transformer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A few continuations of held-out text by a model, for the model card. Prompts start after a line
 * break at seeded positions of the held-out stream. Generation re-runs the whole forward for each
 * token (no cache): slow, but samples are short.
 */
public final class TextSamples {

    /** The sampling the model card shows: temperature 0.8, top-k 40. */
    public static final SamplingParams SAMPLING = new SamplingParams(0.8, 40, 1.0);

    public record Sample(String domain, String prompt, String continuation) {}

    private TextSamples() {}

    public static List<Sample> generate(Transformer model, Tokenizer tokenizer, TokenizedDomain domain, int count,
            int promptTokens, int newTokens, long seed) {
        SplittableRandom random = new SplittableRandom(seed * 31 + domain.domain().hashCode()); // own prompts per domain
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int[] prompt = prompt(domain, tokenizer, promptTokens, random);
            int[] continuation = continuation(model, prompt, newTokens, random);
            samples.add(new Sample(domain.domain(), tokenizer.decode(prompt), tokenizer.decode(continuation)));
        }
        return samples;
    }

    /**
     * {@code length} held-out tokens that begin right after a token ending in a line break (or at a
     * document start) and hold no end-of-text.
     */
    static int[] prompt(TokenizedDomain domain, Tokenizer tokenizer, int length, SplittableRandom random) {
        int[] heldOut = domain.heldOut();
        int endOfText = heldOut[0]; // every stream starts with the separator
        for (int attempt = 0; attempt < 1000; attempt++) {
            int start = random.nextInt(Math.max(1, heldOut.length - length));
            while (start + length < heldOut.length && start > 0 && heldOut[start - 1] != endOfText
                    && !tokenizer.decode(new int[] {heldOut[start - 1]}).endsWith("\n")) {
                start++;
            }
            int end = Math.min(start + length, heldOut.length);
            int[] candidate = Arrays.copyOfRange(heldOut, start, end);
            if (candidate.length == length && Arrays.stream(candidate).noneMatch(t -> t == endOfText)
                    && !tokenizer.decode(candidate).isBlank()) {
                return candidate;
            }
        }
        throw new IllegalArgumentException(domain.domain() + ": held-out text too short for a prompt of " + length);
    }

    /** Samples up to {@code newTokens} tokens, stopping at an end-of-sequence token or the context length. */
    static int[] continuation(Transformer model, int[] prompt, int newTokens, SplittableRandom random) {
        List<Integer> tokens = new ArrayList<>(Arrays.stream(prompt).boxed().toList());
        int[] generated = new int[newTokens];
        int count = 0;
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            while (count < newTokens && tokens.size() < model.config().contextLength()) {
                float[] logits;
                try (NDScope ignored = new NDScope()) {
                    long[] ids = tokens.stream().mapToLong(Integer::longValue).toArray();
                    NDArray all = model.logits(manager.create(ids, new Shape(1, ids.length))); // [1, L, V]
                    logits = all.get("0, -1").toFloatArray();
                }
                int next = LogitsProcessor.sample(LogitsProcessor.probabilities(logits, SAMPLING), random);
                if (model.config().isEos(next)) {
                    break;
                }
                generated[count++] = next;
                tokens.add(next);
            }
        }
        return Arrays.copyOf(generated, count);
    }
}
