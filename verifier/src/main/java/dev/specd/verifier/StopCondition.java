package dev.specd.verifier;

import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Decides, token by token through each emitted block, whether a request's generation ends: on an
 * EOS (or other stop) token id, on reaching max_tokens, or when the decoded text contains a stop
 * string. No token after the one that ends generation is kept. Stop strings follow OpenAI
 * semantics: matched on the decoded text, across token boundaries, and the text ends just before
 * the stop string. When several conditions hit on the same token, a stop string or EOS wins over
 * max_tokens.
 *
 * <p>Token accounting: the ending token is kept (counted in usage, logged): the EOS token (whose
 * text is never shown), or the token that completed a stop string (its text is cut with the stop).
 *
 * <p>Text is decoded incrementally over whole token windows ({@link IncrementalDetokenizer}). With
 * stop strings that happens as tokens arrive, since the decision needs it; without, only when
 * {@link #text()} or {@link #streamableText()} is asked for. One per request, one thread at a time.
 */
public final class StopCondition {

    public enum Finish {
        EOS,
        STOP_STRING,
        MAX_TOKENS;

        /** OpenAI's {@code finish_reason}. */
        public String openAiReason() {
            return this == MAX_TOKENS ? "length" : "stop";
        }
    }

    /**
     * @param keptTokens how many tokens of the block to emit, from the first
     * @param finish why generation ended, or {@code null} when it goes on (then all are kept)
     */
    public record Decision(int keptTokens, Finish finish) {

        public boolean stopped() {
            return finish != null;
        }
    }

    private final int[] stopTokenIds;
    private final int maxTokens;
    private final List<String> stopStrings;
    private final int longestStopString;
    private final IncrementalDetokenizer detokenizer;
    /** The text of the kept tokens, cut before a matched stop string. */
    private final StringBuilder text = new StringBuilder();
    private int generatedTokens;
    private Finish finish;

    /**
     * @param stopTokenIds the model's EOS ids plus any request stop_token_ids
     * @param maxTokens the most tokens to generate, ≥ 1
     * @param stopStrings OpenAI {@code stop}: non-empty strings, possibly none
     * @param decode token ids to text, special tokens skipped (DJL's HuggingFaceTokenizer#decode)
     * @param promptTail the prompt's last few tokens (vLLM uses 5), so that the first generated
     *     token decodes as it does in context; may be empty
     */
    public StopCondition(Set<Integer> stopTokenIds, int maxTokens, List<String> stopStrings,
            Function<int[], String> decode, int[] promptTail) {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("max_tokens must be >= 1, got " + maxTokens);
        }
        if (stopStrings.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("stop strings must not be empty");
        }
        this.stopTokenIds = stopTokenIds.stream().mapToInt(Integer::intValue).toArray();
        this.maxTokens = maxTokens;
        this.stopStrings = List.copyOf(stopStrings);
        this.longestStopString = stopStrings.stream().mapToInt(String::length).max().orElse(0);
        this.detokenizer = new IncrementalDetokenizer(decode, promptTail);
    }

    /** Offers one step's emitted tokens (accepted draft tokens, then the correction or bonus). */
    public Decision append(int[] block) {
        if (finish != null) {
            throw new IllegalStateException("generation already finished: " + finish);
        }
        for (int i = 0; i < block.length; i++) {
            int token = block[i];
            generatedTokens++;
            if (isStopToken(token)) {
                return finish(Finish.EOS, i + 1);
            }
            detokenizer.add(token);
            if (!stopStrings.isEmpty() && appendAndCutAtStop(detokenizer.advance())) {
                finish = Finish.STOP_STRING;
                return new Decision(i + 1, finish);
            }
            if (generatedTokens == maxTokens) {
                return finish(Finish.MAX_TOKENS, i + 1);
            }
        }
        return new Decision(block.length, null);
    }

    public boolean finished() {
        return finish != null;
    }

    /** Why generation ended, or null while it goes on. */
    public Finish finish() {
        return finish;
    }

    public int generatedTokens() {
        return generatedTokens;
    }

    /** Tokens still allowed by max_tokens: a step should draft at most this − 1. */
    public int remainingTokens() {
        return maxTokens - generatedTokens;
    }

    /** Text of the kept tokens: complete characters only until generation finishes, then all of it. */
    public String text() {
        catchUp();
        return text.toString();
    }

    /**
     * The text that can be streamed now: {@link #text()} less any tail that could still become a
     * stop string (which must then never have been sent). Grows monotonically.
     */
    public String streamableText() {
        catchUp();
        if (finish != null) {
            return text.toString();
        }
        return text.substring(0, text.length() - possibleStopPrefixLength());
    }

    private Decision finish(Finish reason, int keptTokens) {
        // Characters still pending in the detokenizer can complete a stop string only now.
        finish = !stopStrings.isEmpty() && appendAndCutAtStop(detokenizer.flush()) ? Finish.STOP_STRING : reason;
        return new Decision(keptTokens, finish);
    }

    private boolean isStopToken(int token) {
        for (int id : stopTokenIds) {
            if (id == token) {
                return true;
            }
        }
        return false;
    }

    /** Without stop strings, text is decoded only when asked for. */
    private void catchUp() {
        if (stopStrings.isEmpty()) {
            text.append(finish != null ? detokenizer.flush() : detokenizer.advance());
        }
    }

    /** Appends new text; if a stop string now occurs, cuts the text before its earliest occurrence. */
    private boolean appendAndCutAtStop(String delta) {
        if (delta.isEmpty()) {
            return false;
        }
        // A new match must end inside the delta, so it starts at most longest − 1 characters before it.
        int searchFrom = Math.max(0, text.length() - (longestStopString - 1));
        text.append(delta);
        int earliest = -1;
        for (String stop : stopStrings) {
            int at = text.indexOf(stop, searchFrom);
            if (at >= 0 && (earliest < 0 || at < earliest)) {
                earliest = at;
            }
        }
        if (earliest < 0) {
            return false;
        }
        text.setLength(earliest);
        return true;
    }

    /** Length of the longest suffix of the text that is a proper prefix of some stop string. */
    private int possibleStopPrefixLength() {
        int longest = 0;
        for (String stop : stopStrings) {
            for (int length = Math.min(stop.length() - 1, text.length()); length > longest; length--) {
                if (text.indexOf(stop.substring(0, length), text.length() - length) >= 0) {
                    longest = length;
                    break;
                }
            }
        }
        return longest;
    }
}
