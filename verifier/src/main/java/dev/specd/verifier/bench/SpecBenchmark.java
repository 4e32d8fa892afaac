package dev.specd.verifier.bench;

import dev.specd.model.CausalLM;
import dev.specd.model.KVCache;
import dev.specd.model.SamplingParams;
import dev.specd.model.Tokenizer;
import dev.specd.verifier.AdaptiveSpeculation;
import dev.specd.verifier.DraftModelDrafter;
import dev.specd.verifier.Drafter;
import dev.specd.verifier.GenerationRequest;
import dev.specd.verifier.HybridDrafter;
import dev.specd.verifier.MeasuredCost;
import dev.specd.verifier.NgramCache;
import dev.specd.verifier.NgramDrafter;
import dev.specd.verifier.PromptLookup;
import dev.specd.verifier.Sequence;
import dev.specd.verifier.SpeculativeDecoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Speculative decoding end to end, per domain of held-out prompts: for each drafter (none, draft
 * model, n-gram, hybrid) and batch size, tokens/s, acceptance rate and mean accepted length. Each
 * arm generates the same prompts with the same seeds; drafters start cold (empty n-gram cache). The
 * arms run in interleaved rounds and each reports its median round, so that a burst of other work
 * on the machine slows one round of every arm rather than one arm.
 */
public final class SpecBenchmark {

    public static final List<String> DRAFTERS = List.of("none", DraftModelDrafter.KIND, NgramDrafter.KIND, HybridDrafter.KIND);

    /** The defaults serving uses: γ adapts in [0, 6], starting at 4. */
    public static final AdaptiveSpeculation.Config SPECULATION = new AdaptiveSpeculation.Config(0, 6, 4, 4, 0.7, 0.2, 8);

    public record Prompt(String domain, String text) {}

    public record Result(String domain, String drafter, int batch, int prompts, long generatedTokens,
            double seconds, double tokensPerSecond, double acceptanceRate, double meanAcceptedLength,
            double speedupOverNone) {

        Result withSpeedup(double speedup) {
            return new Result(domain, drafter, batch, prompts, generatedTokens, seconds, tokensPerSecond, acceptanceRate,
                    meanAcceptedLength, speedup);
        }
    }

    private final CausalLM target;
    private final CausalLM draft;
    private final Tokenizer tokenizer;
    private final SamplingParams sampling;
    private final int maxTokens;

    public SpecBenchmark(CausalLM target, CausalLM draft, Tokenizer tokenizer, SamplingParams sampling, int maxTokens) {
        this.target = target;
        this.draft = draft;
        this.tokenizer = tokenizer;
        this.sampling = sampling;
        this.maxTokens = maxTokens;
    }

    /** @param rounds how many times each arm runs; its median round (by tokens/s) is reported */
    public List<Result> run(List<Prompt> prompts, List<Integer> batchSizes, int rounds) {
        if (rounds < 1) {
            throw new IllegalArgumentException("rounds must be >= 1, got " + rounds);
        }
        Map<String, List<Prompt>> byDomain = new LinkedHashMap<>();
        prompts.forEach(prompt -> byDomain.computeIfAbsent(prompt.domain(), domain -> new ArrayList<>()).add(prompt));
        // Warm-up: the JIT and libtorch's first calls would otherwise be charged to the first arm.
        for (String drafter : DRAFTERS) {
            measure("warm-up", prompts.subList(0, 1), drafter, 1);
        }
        List<Result> results = new ArrayList<>();
        for (Map.Entry<String, List<Prompt>> domain : byDomain.entrySet()) {
            for (int batch : batchSizes) {
                Map<String, List<Result>> byDrafter = new LinkedHashMap<>();
                for (int round = 0; round < rounds; round++) {
                    for (String drafter : DRAFTERS) {
                        byDrafter.computeIfAbsent(drafter, kind -> new ArrayList<>())
                                .add(measure(domain.getKey(), domain.getValue(), drafter, batch));
                    }
                }
                Result none = median(byDrafter.get("none"));
                for (List<Result> arm : byDrafter.values()) {
                    Result result = median(arm);
                    results.add(result.withSpeedup(result.tokensPerSecond() / none.tokensPerSecond()));
                }
            }
        }
        return results;
    }

    private static Result median(List<Result> rounds) {
        List<Result> sorted = rounds.stream().sorted(Comparator.comparingDouble(Result::tokensPerSecond)).toList();
        return sorted.get(sorted.size() / 2);
    }

    private Result measure(String domain, List<Prompt> prompts, String drafterKind, int batch) {
        int maxLength = target.config().contextLength();
        try (KVCache cache = target.newCache(batch, maxLength, Long.MAX_VALUE);
                SpeculativeDecoder decoder = new SpeculativeDecoder(target, cache, drafter(drafterKind, batch, maxLength),
                        SPECULATION, tokenizer::decode, new MeasuredCost(1, 0.02, 0.2))) {
            long generated = 0;
            long drafted = 0;
            long accepted = 0;
            long drafts = 0;
            long start = System.nanoTime();
            for (int first = 0; first < prompts.size(); first += batch) {
                List<Sequence> sequences = new ArrayList<>();
                for (int i = first; i < Math.min(prompts.size(), first + batch); i++) {
                    int[] tokens = tokenizer.encode(prompts.get(i).text());
                    int[] prompt = Arrays.copyOfRange(tokens, Math.max(0, tokens.length - (maxLength - maxTokens)), tokens.length);
                    GenerationRequest request = new GenerationRequest(prompt, sampling, i, maxTokens, List.of(),
                            drafterKind.equals("none") ? 0 : SPECULATION.maxGamma());
                    sequences.add(decoder.start(request).orElseThrow());
                }
                while (sequences.stream().anyMatch(sequence -> !sequence.finished())) {
                    decoder.step(sequences);
                }
                for (Sequence sequence : sequences) {
                    generated += sequence.generated().length;
                    drafted += sequence.stats().draftedTokens();
                    accepted += sequence.stats().acceptedTokens();
                    drafts += sequence.stats().drafts();
                    decoder.release(sequence);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double tokensPerSecond = generated / seconds;
            return new Result(domain, drafterKind, batch, prompts.size(), generated, seconds, tokensPerSecond,
                    drafted == 0 ? Double.NaN : (double) accepted / drafted,
                    drafts == 0 ? Double.NaN : 1 + (double) accepted / drafts, 1.0);
        }
    }

    private Drafter drafter(String kind, int batch, int maxLength) {
        return switch (kind) {
            case "none" -> null;
            case DraftModelDrafter.KIND -> new DraftModelDrafter(draft, draft.newCache(batch, maxLength, Long.MAX_VALUE));
            case NgramDrafter.KIND -> ngram();
            case HybridDrafter.KIND -> new HybridDrafter(ngram(),
                    new DraftModelDrafter(draft, draft.newCache(batch, maxLength, Long.MAX_VALUE)), 0.5);
            default -> throw new IllegalArgumentException("unknown drafter " + kind + "; expected one of " + DRAFTERS);
        };
    }

    private static NgramDrafter ngram() {
        return new NgramDrafter(new PromptLookup(1, 4), new NgramCache(1, 4, 100_000, 4));
    }
}
