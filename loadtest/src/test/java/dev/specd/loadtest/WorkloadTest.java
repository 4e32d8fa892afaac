package dev.specd.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkloadTest {

    @TempDir
    Path dir;

    @Test
    void phasesTakeEqualSharesOfTheRunInOrder() throws IOException {
        Workload workload = Workload.ofDomains(Fixtures.heldout(), List.of("english", "python"), Fixtures.SAMPLING);
        assertEquals(0, workload.phaseAt(0));
        assertEquals(0, workload.phaseAt(0.499));
        assertEquals(1, workload.phaseAt(0.5));
        assertEquals(1, workload.phaseAt(1));
        assertEquals(1, workload.phaseAt(7), "past the end stays in the last phase");
        assertEquals(0, workload.phaseAt(-1));
        assertTrue(workload.phases().get(0).prompts().stream().allMatch(prompt -> prompt.domain().equals("english")));
        assertTrue(workload.phases().get(1).prompts().stream().allMatch(prompt -> prompt.domain().equals("python")));
        assertEquals(3, workload.phases().get(1).prompts().size());
    }

    @Test
    void aPhaseMayJoinDomains() throws IOException {
        Workload workload = Workload.ofDomains(Fixtures.heldout(), List.of("java+english", "man", "python"),
                Fixtures.SAMPLING);
        assertEquals(5, workload.phases().get(0).prompts().size());
        assertEquals("java+english", workload.phases().get(0).name());
        assertEquals(0, workload.phaseAt(0.33));
        assertEquals(1, workload.phaseAt(0.34));
        assertEquals(2, workload.phaseAt(0.67));
    }

    @Test
    void linesOverrideTheDefaultSampling() throws IOException {
        List<Prompt> prompts = Workload.read(Fixtures.heldout(), Fixtures.SAMPLING);
        Prompt stack = prompts.stream().filter(prompt -> prompt.text().startsWith("class Stack")).findFirst()
                .orElseThrow();
        assertEquals(new Sampling(8, 0.7, null, null), stack.sampling());
        assertEquals(Fixtures.SAMPLING, prompts.getFirst().sampling());
        assertTrue(stack.text().contains("\n"), "JSON escapes are decoded");
    }

    @Test
    void eachWorkloadFileIsAPhase() throws IOException {
        Path first = dir.resolve("warmup.jsonl");
        Path second = dir.resolve("shift.jsonl");
        Files.writeString(first, "{\"domain\": \"a\", \"prompt\": \"x\"}\n\n");
        Files.writeString(second, "{\"prompt\": \"y\", \"top_k\": 5}\n{\"domain\": \"b\", \"prompt\": \"z\"}\n");
        Workload workload = Workload.ofFiles(List.of(first, second), Fixtures.SAMPLING);
        assertEquals(List.of("warmup", "shift"), workload.phases().stream().map(Phase::name).toList());
        assertEquals("default", workload.phases().get(1).prompts().get(0).domain());
        assertEquals(5, workload.phases().get(1).prompts().get(0).sampling().topK());
    }

    @Test
    void missingDomainsAndBadFilesAreClearErrors() throws IOException {
        IllegalArgumentException noDomain = assertThrows(IllegalArgumentException.class,
                () -> Workload.ofDomains(Fixtures.heldout(), List.of("rust"), Fixtures.SAMPLING));
        assertTrue(noDomain.getMessage().contains("rust"), noDomain.getMessage());
        IOException missing = assertThrows(IOException.class,
                () -> Workload.read(dir.resolve("models").resolve("heldout.jsonl"), Fixtures.SAMPLING));
        assertTrue(missing.getMessage().contains("./specd pretrain"), missing.getMessage());
        Path noPrompt = dir.resolve("bad.jsonl");
        Files.writeString(noPrompt, "{\"domain\": \"a\"}\n");
        IOException bad = assertThrows(IOException.class, () -> Workload.read(noPrompt, Fixtures.SAMPLING));
        assertTrue(bad.getMessage().contains("line 1"), bad.getMessage());
    }
}
