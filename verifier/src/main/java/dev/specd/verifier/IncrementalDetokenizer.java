package dev.specd.verifier;

import java.util.Arrays;
import java.util.function.Function;

/**
 * Text of a growing token sequence, delivered as deltas, the way vLLM and TGI detokenize while
 * streaming. Tokens are never decoded one by one: a byte-level BPE token can hold part of a UTF-8
 * character, and SentencePiece decoders drop the leading space of a sequence's first token. Each
 * step decodes a short window of whole tokens twice, [prefix, read) and [prefix, end), and the
 * difference is the new text; the window only moves on once it decodes to complete characters (no
 * trailing U+FFFD). Not thread-safe.
 */
final class IncrementalDetokenizer {

    private static final char REPLACEMENT = '\uFFFD';

    private final Function<int[], String> decode;
    private int[] tokens;
    private int length;
    /** Window start: tokens before it are text already delivered and no longer decoded. */
    private int prefixOffset;
    /** Tokens before it are delivered; [readOffset, length) are pending. */
    private int readOffset;

    /**
     * @param decode a sequence of token ids to text, special tokens skipped
     * @param context tokens decoded before the first one added (the prompt's last few), delivered
     *     as no text: they give the first generated token the context it decodes in
     */
    IncrementalDetokenizer(Function<int[], String> decode, int[] context) {
        this.decode = decode;
        this.tokens = Arrays.copyOf(context, Math.max(16, context.length * 2));
        this.length = context.length;
        this.readOffset = context.length;
    }

    void add(int token) {
        if (length == tokens.length) {
            tokens = Arrays.copyOf(tokens, length * 2);
        }
        tokens[length++] = token;
    }

    /** Text of the pending tokens, or "" while they end inside a character. */
    String advance() {
        return delta(false);
    }

    /** Text of the pending tokens even if they end inside a character (its bytes become U+FFFD). */
    String flush() {
        return delta(true);
    }

    private String delta(boolean force) {
        if (readOffset == length) {
            return "";
        }
        String prefixText = prefixOffset == readOffset ? "" : decode.apply(Arrays.copyOfRange(tokens, prefixOffset, readOffset));
        String windowText = decode.apply(Arrays.copyOfRange(tokens, prefixOffset, length));
        boolean complete = windowText.isEmpty() || windowText.charAt(windowText.length() - 1) != REPLACEMENT;
        if (windowText.length() <= prefixText.length() || !(complete || force)) {
            return "";
        }
        prefixOffset = readOffset;
        readOffset = length;
        return windowText.substring(prefixText.length());
    }
}
