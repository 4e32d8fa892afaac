package dev.specd.trainer.pretrain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Prompts cut from each domain's held-out documents, which neither model trained on: the workload
 * that benchmarks and load tests serve. One JSON object per line: {@code {"domain", "prompt"}}.
 * Each prompt is whole lines of one document, starting at a random line, up to a character budget.
 */
public final class HeldOutWorkload {

    public static final String FILE_NAME = "heldout.jsonl";
    static final int PROMPTS_PER_DOMAIN = 32;
    static final int PROMPT_CHARACTERS = 600;

    private HeldOutWorkload() {}

    public static void write(List<Corpus> corpora, Path file, long seed) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (Writer out = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
            for (Corpus corpus : corpora) {
                SplittableRandom random = new SplittableRandom(seed ^ corpus.domain().hashCode());
                List<String> documents = corpus.heldOut().stream().filter(text -> text.length() > PROMPT_CHARACTERS).toList();
                for (int i = 0; i < PROMPTS_PER_DOMAIN && !documents.isEmpty(); i++) {
                    String prompt = prompt(documents.get(random.nextInt(documents.size())), random);
                    ObjectNode line = json.createObjectNode().put("domain", corpus.domain()).put("prompt", prompt);
                    out.write(json.writeValueAsString(line));
                    out.write('\n');
                }
            }
        }
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Whole lines from a random line start, stopping before the character budget runs out. */
    static String prompt(String document, SplittableRandom random) {
        int start = document.lastIndexOf('\n', random.nextInt(document.length() - PROMPT_CHARACTERS)) + 1;
        int end = document.lastIndexOf('\n', start + PROMPT_CHARACTERS - 1);
        return document.substring(start, end > start ? end + 1 : start + PROMPT_CHARACTERS);
    }
}
