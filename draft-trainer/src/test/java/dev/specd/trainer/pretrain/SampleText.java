package dev.specd.trainer.pretrain;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Deterministic ASCII documents mixing English-like prose and indented code, for tokenizer tests. */
final class SampleText {

    private static final String[] WORDS = ("the of and to in is was that for it with as his on be at by had are "
            + "but from or have an they which one you were her all she there would their we him been has when "
            + "who will more no if out so said what up its about into than them can only other new some could "
            + "time these two may then do first any my now such like our over man me even most made after also "
            + "model token server request draft target decoding speculative window thread queue").split(" ");

    private static final String[] CODE = {
        "public final class %s {",
        "    private final int %s;",
        "    public int %s() {",
        "        return %s + 1;",
        "    }",
        "        if (%s == null) {",
        "            throw new IllegalArgumentException(\"%s\");",
        "def %s(self, value):",
        "    return self.%s(value)",
        "    for item in %s:",
        "        total += item * 42",
        "}",
    };

    private SampleText() {}

    static List<String> documents(int count, long seed) {
        Random random = new Random(seed);
        List<String> documents = new ArrayList<>();
        for (int d = 0; d < count; d++) {
            StringBuilder text = new StringBuilder();
            for (int line = 0; line < 40; line++) {
                if (d % 2 == 0) {
                    text.append(String.format(CODE[random.nextInt(CODE.length)], word(random))).append('\n');
                } else {
                    for (int w = 0; w < 12; w++) {
                        String word = word(random);
                        text.append(w == 0 ? Character.toUpperCase(word.charAt(0)) + word.substring(1) : " " + word);
                    }
                    text.append(random.nextBoolean() ? ", " + random.nextInt(2000) + ".\n" : ".\n");
                }
            }
            documents.add(text.toString());
        }
        return documents;
    }

    private static String word(Random random) {
        // A skewed draw, like real text: frequent words are much more frequent.
        int index = (int) (WORDS.length * Math.pow(random.nextDouble(), 2.5));
        return WORDS[index];
    }
}
