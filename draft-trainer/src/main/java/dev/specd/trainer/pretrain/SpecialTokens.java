package dev.specd.trainer.pretrain;

import java.util.List;

/**
 * The tokens that never come out of BPE: they are matched verbatim in the input before
 * pre-tokenization and get the first ids, {@code endOfText} 0 and {@code padding} 1.
 *
 * @param endOfText separates documents; serves as both BOS and EOS, as in GPT-2
 * @param padding fills batches; never trained on
 */
public record SpecialTokens(String endOfText, String padding) {

    public static final SpecialTokens DEFAULT = new SpecialTokens("<|endoftext|>", "<|pad|>");

    public SpecialTokens {
        if (endOfText.isEmpty() || padding.isEmpty() || endOfText.equals(padding)) {
            throw new IllegalArgumentException("special tokens must be distinct and non-empty: " + endOfText + ", " + padding);
        }
    }

    /** In id order. */
    public List<String> all() {
        return List.of(endOfText, padding);
    }

    public int endOfTextId() {
        return 0;
    }

    public int paddingId() {
        return 1;
    }
}
