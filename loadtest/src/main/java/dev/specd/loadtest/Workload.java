package dev.specd.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * What the load test sends: phases that follow each other, each an equal share of the run, so that
 * traffic shifts from one domain to another mid-run (the online trainer should then adapt the draft).
 * The share is of the run's progress, the larger of elapsed / duration and issued / max requests,
 * so the shift happens mid-run whichever bound ends it.
 */
public record Workload(List<Phase> phases) {

    public Workload {
        if (phases.isEmpty()) {
            throw new IllegalArgumentException("a workload needs at least one phase");
        }
        phases = List.copyOf(phases);
    }

    /** The index of the phase at {@code progress} in [0, 1]; past 1, the last. */
    public int phaseAt(double progress) {
        int index = (int) Math.floor(Math.max(0, progress) * phases.size());
        return Math.min(index, phases.size() - 1);
    }

    /**
     * Phases from one prompt file, one per spec: a domain, or several joined by {@code +}
     * ({@code java+english}); each phase serves the file's prompts of its domains.
     */
    public static Workload ofDomains(Path prompts, List<String> phaseSpecs, Sampling defaults) throws IOException {
        List<Prompt> all = read(prompts, defaults);
        List<Phase> phases = new ArrayList<>();
        for (String spec : phaseSpecs) {
            Set<String> domains = Set.copyOf(Arrays.stream(spec.split("\\+")).map(String::trim).toList());
            List<Prompt> selected = all.stream().filter(prompt -> domains.contains(prompt.domain())).toList();
            if (selected.isEmpty()) {
                throw new IllegalArgumentException("no prompt of domain " + spec + " in " + prompts);
            }
            phases.add(new Phase(spec, selected));
        }
        return new Workload(phases);
    }

    /** One phase per file, named after it, serving all of its prompts. */
    public static Workload ofFiles(List<Path> files, Sampling defaults) throws IOException {
        List<Phase> phases = new ArrayList<>();
        for (Path file : files) {
            phases.add(new Phase(file.getFileName().toString().replaceFirst("\\.jsonl$", ""), read(file, defaults)));
        }
        return new Workload(phases);
    }

    /**
     * The prompts of a JSONL file: {@code {"domain": ..., "prompt": ...}} per line (as
     * {@code models/heldout.jsonl}), optionally with {@code max_tokens}, {@code temperature},
     * {@code top_p} and {@code top_k} overriding {@code defaults}. Blank lines are skipped.
     */
    static List<Prompt> read(Path file, Sampling defaults) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("no prompt file " + file
                    + (file.endsWith(Path.of("models", "heldout.jsonl")) ? " (./specd pretrain writes it)" : ""));
        }
        List<Prompt> prompts = new ArrayList<>();
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            JsonNode line = Json.MAPPER.readTree(lines.get(i));
            if (!line.path("prompt").isTextual()) {
                throw new IOException(file + " line " + (i + 1) + ": no \"prompt\" string");
            }
            prompts.add(new Prompt(line.path("domain").asText("default"), line.get("prompt").asText(),
                    defaults.overriddenBy(line)));
        }
        if (prompts.isEmpty()) {
            throw new IOException(file + " holds no prompt");
        }
        return prompts;
    }
}
