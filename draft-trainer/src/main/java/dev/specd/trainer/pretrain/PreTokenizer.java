package dev.specd.trainer.pretrain;

import java.util.Comparator;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Cuts text into the pieces BPE works inside: first the special tokens, matched verbatim (as the
 * added-token matcher of Hugging Face tokenizers does), then, between them, the regex below. The
 * same regex goes into {@code tokenizer.json} as a {@code Split} pre-tokenizer, so training, the
 * Java encoder and the Rust tokenizer cut identically.
 */
final class PreTokenizer {

    /**
     * GPT-4's (cl100k) pattern with GPT-2's case-sensitive contractions. Unlike GPT-2's it suits
     * source code: a letter run may take one leading non-letter ({@code .name}, {@code _id},
     * {@code (x}); a punctuation run keeps the line breaks after it ({@code ;\n}, {@code {\n});
     * a newline never joins the indentation of the next line, so each indentation width becomes one
     * reusable token; digits come in groups of at most three so numbers do not eat the vocabulary.
     *
     * <p>Written so that Java's engine (with {@link Pattern#UNICODE_CHARACTER_CLASS}, where
     * {@code \s} is Unicode White_Space) and Oniguruma, which Hugging Face tokenizers uses, agree.
     */
    static final String PATTERN = "'s|'t|'re|'ve|'m|'ll|'d"
            + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
            + "|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*"
            + "|\\s*[\\r\\n]+"
            + "|\\s+(?!\\S)"
            + "|\\s+";

    private static final Pattern PIECE = Pattern.compile(PATTERN, Pattern.UNICODE_CHARACTER_CLASS);

    private final Pattern special;

    PreTokenizer(SpecialTokens specialTokens) {
        // Longest first: the added-token matcher prefers the longest special token at a position.
        this.special = Pattern.compile(specialTokens.all().stream()
                .sorted(Comparator.comparingInt(String::length).reversed())
                .map(Pattern::quote)
                .collect(Collectors.joining("|")));
    }

    /** Hands each special token and each piece between them to the consumers, in text order. */
    void split(String text, Consumer<String> onSpecial, Consumer<String> onPiece) {
        Matcher specials = special.matcher(text);
        int start = 0;
        while (specials.find()) {
            pieces(text, start, specials.start(), onPiece);
            onSpecial.accept(specials.group());
            start = specials.end();
        }
        pieces(text, start, text.length(), onPiece);
    }

    private static void pieces(String text, int from, int to, Consumer<String> onPiece) {
        if (from == to) {
            return;
        }
        Matcher pieces = PIECE.matcher(text).region(from, to);
        while (pieces.find()) {
            onPiece.accept(pieces.group());
        }
    }
}
