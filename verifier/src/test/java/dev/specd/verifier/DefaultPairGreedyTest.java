package dev.specd.verifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.specd.model.Backend;
import dev.specd.model.CausalLM;
import dev.specd.model.KVCache;
import dev.specd.model.SamplingParams;
import dev.specd.model.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * On the shipped default pair, greedy speculative decoding emits exactly the target's plain greedy
 * tokens, over prompts cut from every domain's held-out text at many lengths, with the draft model
 * and the hybrid drafter, on each backend.
 */
class DefaultPairGreedyTest {

    private static final Path MODELS = Path.of("..", "models", "default");
    private static final Path HELD_OUT_PROMPTS = Path.of("..", "models", "heldout.jsonl");
    private static final long NO_BOUND = Long.MAX_VALUE;

    static final Map<Backend, CausalLM> targets = new EnumMap<>(Backend.class);
    static final Map<Backend, CausalLM> drafts = new EnumMap<>(Backend.class);
    static Tokenizer tokenizer;

    @BeforeAll
    static void loadDefaultPair() throws IOException {
        for (Backend backend : Backend.values()) {
            targets.put(backend, backend.load(MODELS.resolve("target"), Device.cpu(), DataType.FLOAT32));
            drafts.put(backend, backend.load(MODELS.resolve("draft"), Device.cpu(), DataType.FLOAT32));
        }
        tokenizer = Tokenizer.load(MODELS.resolve("target"));
    }

    @AfterAll
    static void close() {
        targets.values().forEach(CausalLM::close);
        drafts.values().forEach(CausalLM::close);
        tokenizer.close();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void speculativeGreedyEqualsPlainGreedyOnTheDefaultTarget(Backend backend) throws IOException {
        CausalLM target = targets.get(backend);
        CausalLM draft = drafts.get(backend);
        List<GenerationRequest> requests = heldOutRequests(target.config().bosTokenId());
        assertTrue(requests.size() >= 16, "held-out prompts: " + requests.size());
        List<int[]> plain = generate(target, null, requests);
        for (Drafter drafter : List.of(
                new DraftModelDrafter(draft, draft.newCache(8, target.config().contextLength(), NO_BOUND)),
                new HybridDrafter(new NgramDrafter(new PromptLookup(1, 4), new NgramCache(1, 4, 10_000, 4)),
                        new DraftModelDrafter(draft, draft.newCache(8, target.config().contextLength(), NO_BOUND)), 0.5))) {
            List<int[]> speculative = generate(target, drafter, requests);
            for (int i = 0; i < requests.size(); i++) {
                assertArrayEquals(plain.get(i), speculative.get(i), drafter.kind() + ", prompt " + i);
            }
        }
    }

    /** Prompts of 4 to 96 tokens from the held-out workload, with 1 to 48 tokens to generate. */
    private static List<GenerationRequest> heldOutRequests(int bos) throws IOException {
        SplittableRandom random = new SplittableRandom(17);
        List<GenerationRequest> requests = new ArrayList<>();
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        for (String line : Files.readAllLines(HELD_OUT_PROMPTS)) {
            if (line.isBlank() || requests.size() >= 24) {
                continue;
            }
            int[] tokens = tokenizer.encode(json.readTree(line).path("prompt").asText());
            int length = Math.min(tokens.length, 4 + random.nextInt(93));
            int[] prompt = new int[length + 1];
            prompt[0] = bos;
            System.arraycopy(tokens, 0, prompt, 1, length);
            requests.add(new GenerationRequest(prompt, SamplingParams.GREEDY, 0, 1 + random.nextInt(48), List.of(), 6));
        }
        return requests;
    }

    private static List<int[]> generate(CausalLM target, Drafter drafter, List<GenerationRequest> requests) {
        AdaptiveSpeculation.Config speculation = new AdaptiveSpeculation.Config(0, 6, 4, 4, 0.7, 0.2, 8);
        try (KVCache cache = target.newCache(8, target.config().contextLength(), NO_BOUND);
                SpeculativeDecoder decoder = new SpeculativeDecoder(target, cache, drafter, speculation,
                        tokenizer::decode, new MeasuredCost(1, 0.02, 0.2))) {
            List<int[]> outputs = new ArrayList<>();
            for (int first = 0; first < requests.size(); first += 8) {
                List<Sequence> batch = requests.subList(first, Math.min(requests.size(), first + 8)).stream()
                        .map(request -> decoder.start(request).orElseThrow()).toList();
                while (batch.stream().anyMatch(sequence -> !sequence.finished())) {
                    decoder.step(batch);
                }
                batch.forEach(sequence -> outputs.add(Arrays.copyOf(sequence.generated(), sequence.generated().length)));
                batch.forEach(decoder::release);
            }
            return outputs;
        }
    }
}
