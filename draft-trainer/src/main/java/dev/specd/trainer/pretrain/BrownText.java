package dev.specd.trainer.pretrain;

import java.util.Set;

/**
 * Turns a Brown Corpus file in NLTK's tagged form ({@code word/tag} tokens, one sentence per line)
 * back into running text, one sentence per line: tags dropped, {@code ``} and {@code ''} made into
 * double quotes, and punctuation attached to its neighbour the way it is printed.
 */
final class BrownText {

    private static final Set<String> NO_SPACE_BEFORE = Set.of(",", ".", ";", ":", "?", "!", ")", "]", "''", "'");
    private static final Set<String> NO_SPACE_AFTER = Set.of("(", "[", "``", "`");

    private BrownText() {}

    static String untag(String tagged) {
        StringBuilder text = new StringBuilder();
        for (String line : tagged.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            StringBuilder sentence = new StringBuilder();
            boolean glueNext = true;
            for (String token : line.strip().split("\\s+")) {
                int slash = token.lastIndexOf('/');
                String word = slash > 0 ? token.substring(0, slash) : token;
                if (!glueNext && !NO_SPACE_BEFORE.contains(word)) {
                    sentence.append(' ');
                }
                sentence.append(switch (word) {
                    case "``", "''" -> "\"";
                    case "`" -> "'";
                    default -> word;
                });
                glueNext = NO_SPACE_AFTER.contains(word);
            }
            text.append(sentence).append('\n');
        }
        return text.toString();
    }
}
