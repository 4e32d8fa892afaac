package dev.specd.verifier;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * One generation in flight: prompt plus generated tokens, its target KV-cache slot, random stream,
 * stop condition, speculation state and, when pinned, its own drafter. The target cache holds every token but the last, which is
 * pending: the next step scores it (alone, or followed by a drafted block).
 */
public final class Sequence {

    private final long id;
    private final GenerationRequest request;
    private final int targetSlot;
    private final RandomGenerator random;
    private final StopCondition stop;
    private final AdaptiveSpeculation speculation;
    private final PinnedDrafter pinned;
    private final SpeculationStats stats = new SpeculationStats();
    private int[] tokens;
    private int length;
    private boolean prefilled;

    /** @param pinned the drafter it keeps, or null to follow the decoder's live drafter */
    Sequence(long id, GenerationRequest request, int targetSlot, StopCondition stop, AdaptiveSpeculation speculation,
            PinnedDrafter pinned) {
        this.id = id;
        this.request = request;
        this.targetSlot = targetSlot;
        this.random = new SplittableRandom(request.seed());
        this.stop = stop;
        this.speculation = speculation;
        this.pinned = pinned;
        this.tokens = Arrays.copyOf(request.prompt(), request.prompt().length + Math.min(request.maxTokens(), 256) + 16);
        this.length = request.prompt().length;
    }

    public long id() {
        return id;
    }

    public GenerationRequest request() {
        return request;
    }

    /** The token buffer: positions [0, length()) are valid; the array may be longer. */
    public int[] tokens() {
        return tokens;
    }

    public int length() {
        return length;
    }

    public int promptLength() {
        return request.prompt().length;
    }

    /** The generated tokens so far. */
    public int[] generated() {
        return Arrays.copyOfRange(tokens, promptLength(), length);
    }

    public SpeculationStats stats() {
        return stats;
    }

    public boolean finished() {
        return stop.finished();
    }

    public StopCondition.Finish finish() {
        return stop.finish();
    }

    /** Text of the generated tokens, cut before a stop string. */
    public String text() {
        return stop.text();
    }

    /** Text safe to stream now: held back where it could still become a stop string. */
    public String streamableText() {
        return stop.streamableText();
    }

    int targetSlot() {
        return targetSlot;
    }

    RandomGenerator random() {
        return random;
    }

    StopCondition stop() {
        return stop;
    }

    AdaptiveSpeculation speculation() {
        return speculation;
    }

    PinnedDrafter pinned() {
        return pinned;
    }

    boolean prefilled() {
        return prefilled;
    }

    void markPrefilled() {
        prefilled = true;
    }

    void append(int[] block, int count) {
        if (length + count > tokens.length) {
            tokens = Arrays.copyOf(tokens, Math.max(tokens.length * 2, length + count));
        }
        System.arraycopy(block, 0, tokens, length, count);
        length += count;
    }

    int lastToken() {
        return tokens[length - 1];
    }
}
