package dev.specd.trainer.pretrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeldOutWorkloadTest {

    @Test
    void promptsAreWholeLinesOfHeldOutDocumentsTaggedByDomain(@TempDir Path dir) throws IOException {
        String heldOutJava = numberedLines("int x", 200);
        String heldOutEnglish = numberedLines("The cat sat", 150);
        List<Corpus> corpora = List.of(
                new Corpus(new Provenance("java", "test", "test"), List.of("train only"), List.of(heldOutJava)),
                new Corpus(new Provenance("english", "test", "test"), List.of("train only"), List.of(heldOutEnglish, "short")));
        Path file = dir.resolve(HeldOutWorkload.FILE_NAME);
        HeldOutWorkload.write(corpora, file, 7);

        List<String> lines = Files.readAllLines(file);
        assertEquals(2 * HeldOutWorkload.PROMPTS_PER_DOMAIN, lines.size());
        ObjectMapper json = new ObjectMapper();
        for (String line : lines) {
            JsonNode entry = json.readTree(line);
            String prompt = entry.get("prompt").asText();
            String source = entry.get("domain").asText().equals("java") ? heldOutJava : heldOutEnglish;
            assertTrue(source.contains(prompt), "prompt comes from its own domain's held-out text");
            assertTrue(source.startsWith(prompt) || source.contains("\n" + prompt), "prompt starts at a line");
            assertTrue(prompt.endsWith("\n") && prompt.length() <= HeldOutWorkload.PROMPT_CHARACTERS, prompt);
        }
        HeldOutWorkload.write(corpora, dir.resolve("again.jsonl"), 7);
        assertEquals(lines, Files.readAllLines(dir.resolve("again.jsonl")), "deterministic for a seed");
    }

    @Test
    void aDocumentWithoutLineBreaksIsCutAtTheBudget() {
        String document = "x".repeat(5 * HeldOutWorkload.PROMPT_CHARACTERS);
        String prompt = HeldOutWorkload.prompt(document, new SplittableRandom(1));
        assertEquals(HeldOutWorkload.PROMPT_CHARACTERS, prompt.length());
    }

    private static String numberedLines(String text, int count) {
        StringBuilder document = new StringBuilder();
        IntStream.range(0, count).forEach(i -> document.append(text).append(' ').append(i).append(";\n"));
        return document.toString();
    }
}
