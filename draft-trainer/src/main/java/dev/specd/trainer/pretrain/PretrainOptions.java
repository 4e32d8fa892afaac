package dev.specd.trainer.pretrain;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What {@code ./specd pretrain} makes and how. The command-line flag of each option is given in
 * brackets; {@link #commandLine()} writes the flags that differ from {@link #defaults()}.
 *
 * @param outDir where the models and their card go [--out]: {@code default/target},
 *     {@code default/draft} and {@code README.md}
 * @param workDir token caches, the tokenizer and checkpoints, so an interrupted run resumes [--work]
 * @param vocabSize tokens of the byte-level BPE tokenizer, special tokens included [--vocab]
 * @param target the target's shape [--target hidden=…,layers=…,heads=…,kv=…,ffn=…,context=…,tied=…]
 * @param draft the draft's shape [--draft …]
 * @param targetSteps optimizer steps of the target [--target-steps]
 * @param draftSteps optimizer steps of the draft [--draft-steps]
 * @param batchSize windows per step, both models [--batch]
 * @param sequenceLength tokens per window, both models [--seq-len]
 * @param learningRate the target's peak AdamW learning rate; the cosine decay ends at a tenth of it [--lr]
 * @param draftLearningRate the draft's, higher as small models take larger steps [--draft-lr]
 * @param seed initial weights, batch order, evaluation samples [--seed]
 * @param domains corpus domains the tokenizer and the target are trained on, equally weighted [--domains]
 * @param draftDomains the draft's smaller, general diet: a subset of {@code domains} [--draft-domains]
 * @param bytesPerDomain UTF-8 bytes read from each domain's corpus, held-out part included [--bytes-per-domain]
 * @param timeBudget the whole command's wall-clock limit: when the planned steps would overrun it,
 *     they are cut after timing the first few; {@code null} for none [--time-budget, in minutes]
 */
public record PretrainOptions(Path outDir, Path workDir, int vocabSize, Architecture target, Architecture draft,
        int targetSteps, int draftSteps, int batchSize, int sequenceLength, double learningRate,
        double draftLearningRate, long seed,
        List<String> domains, List<String> draftDomains, long bytesPerDomain, Duration timeBudget) {

    /** Held-out windows scored per domain, and text samples per domain in the model card. */
    static final int EVALUATION_WINDOWS = 32;
    static final int SAMPLES_PER_DOMAIN = 2;

    public PretrainOptions {
        domains = List.copyOf(domains);
        draftDomains = List.copyOf(draftDomains);
        if (!domains.containsAll(draftDomains) || draftDomains.isEmpty()) {
            throw new IllegalArgumentException("draft domains " + draftDomains + " must be a non-empty subset of " + domains);
        }
        if (sequenceLength > Math.min(target.contextLength(), draft.contextLength())) {
            throw new IllegalArgumentException("sequence length " + sequenceLength + " exceeds a model's context length");
        }
    }

    /**
     * The default pair, sized for an hour on a 2-core CPU. Measured there at batch 8 × 256 with both
     * cores free: target 12.6 M parameters, 1.07 s per step (1,900 tokens/s); draft 1.25 M (9.9%),
     * 0.24 s per step. 2,600 target steps (5.3 M tokens, 46 min) and 1,500 draft steps (3.1 M tokens,
     * 6 min) plus about 2 min of corpus loading, tokenizer training, evaluation and writing come to
     * about 55 min; on a busier machine the time budget cuts the steps instead. BF16 weights take
     * 25.2 + 2.5 MB. The draft's learning rate won a 300-step trial against 1e-3 (held-out loss
     * 0.3 nats lower on every domain). It skips python, where online adaptation can then show its worth.
     */
    public static PretrainOptions defaults() {
        return new PretrainOptions(Path.of("models"), Path.of("work/pretrain"), 8192,
                new Architecture(384, 1024, 6, 6, 2, 1024, true),
                new Architecture(112, 384, 2, 4, 2, 1024, true),
                2600, 1500, 8, 256, 1e-3, 3e-3, 1234,
                List.of("java", "python", "english", "man"), List.of("java", "english", "man"),
                8_000_000, Duration.ofMinutes(60));
    }

    /**
     * These options restricted to the domains that could be loaded (a machine without man pages, say).
     * The draft keeps its available domains, or gets all of them when none of its own are left.
     */
    public PretrainOptions withDomains(List<String> available) {
        List<String> kept = domains.stream().filter(available::contains).toList();
        if (kept.isEmpty()) {
            throw new IllegalArgumentException("none of the domains " + domains + " is available on this machine");
        }
        List<String> draftKept = draftDomains.stream().filter(available::contains).toList();
        return new PretrainOptions(outDir, workDir, vocabSize, target, draft, targetSteps, draftSteps, batchSize,
                sequenceLength, learningRate, draftLearningRate, seed, kept, draftKept.isEmpty() ? kept : draftKept, bytesPerDomain,
                timeBudget);
    }

    public TrainingPlan targetPlan() {
        return plan(targetSteps, learningRate, domains, seed);
    }

    public TrainingPlan draftPlan() {
        return plan(draftSteps, draftLearningRate, draftDomains, seed + 1);
    }

    private TrainingPlan plan(int steps, double peak, List<String> trainedOn, long planSeed) {
        int warmup = Math.clamp(steps / 20, Pretrainer.TIMED_STEPS + 1, 200);
        Map<String, Double> weights = trainedOn.stream().collect(Collectors.toMap(Function.identity(), d -> 1.0));
        return new TrainingPlan(steps, batchSize, sequenceLength, peak, peak / 10, warmup, 0.1, 1.0,
                weights, 50, planSeed);
    }

    /** {@code ./specd pretrain} with the flags that differ from the defaults. */
    public String commandLine() {
        PretrainOptions d = defaults();
        List<String> flags = new ArrayList<>();
        flag(flags, "--out", outDir, d.outDir);
        flag(flags, "--work", workDir, d.workDir);
        flag(flags, "--vocab", vocabSize, d.vocabSize);
        flag(flags, "--target", target.spec(), d.target.spec());
        flag(flags, "--draft", draft.spec(), d.draft.spec());
        flag(flags, "--target-steps", targetSteps, d.targetSteps);
        flag(flags, "--draft-steps", draftSteps, d.draftSteps);
        flag(flags, "--batch", batchSize, d.batchSize);
        flag(flags, "--seq-len", sequenceLength, d.sequenceLength);
        flag(flags, "--lr", learningRate, d.learningRate);
        flag(flags, "--draft-lr", draftLearningRate, d.draftLearningRate);
        flag(flags, "--seed", seed, d.seed);
        flag(flags, "--domains", String.join(",", domains), String.join(",", d.domains));
        flag(flags, "--draft-domains", String.join(",", draftDomains), String.join(",", d.draftDomains));
        flag(flags, "--bytes-per-domain", bytesPerDomain, d.bytesPerDomain);
        flag(flags, "--time-budget", timeBudget == null ? "none" : Long.toString(timeBudget.toMinutes()),
                d.timeBudget == null ? "none" : Long.toString(d.timeBudget.toMinutes()));
        return flags.isEmpty() ? "./specd pretrain" : "./specd pretrain " + String.join(" ", flags);
    }

    private static void flag(List<String> flags, String name, Object value, Object fallback) {
        if (!value.toString().equals(fallback.toString())) {
            flags.add(name + " " + value);
        }
    }
}
