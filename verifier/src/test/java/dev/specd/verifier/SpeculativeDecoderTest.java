package dev.specd.verifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specd.model.ScoreRequest;
import dev.specd.model.CausalLM;
import dev.specd.model.KVCache;
import dev.specd.model.ModelConfig;
import dev.specd.model.SamplingParams;
import dev.specd.model.llama.Transformer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Greedy equivalence and edge cases of the batched speculative loop, on small random models. */
class SpeculativeDecoderTest {

    private static final int VOCAB = 64;
    private static final long NO_BOUND = Long.MAX_VALUE;
    private static final Function<int[], String> DECODE = tokens -> Arrays.toString(tokens);
    /** Draft exactly γ = 4 every step: no adaptation, so each edge case is exercised as stated. */
    private static final AdaptiveSpeculation.Config FIXED_GAMMA_4 = new AdaptiveSpeculation.Config(4, 4, 4, 0, 0.8, 0.1, 1);
    private static final AdaptiveSpeculation.Config ADAPTIVE = new AdaptiveSpeculation.Config(0, 6, 4, 4, 0.8, 0.2, 8);

    @TempDir
    static Path dir;
    static ModelConfig config;
    static Transformer target;
    static Transformer badDraft;

    @BeforeAll
    static void loadModels() throws IOException {
        config = TestModels.config(VOCAB, 32, 2, List.of());
        target = TestModels.load(dir.resolve("target"), config, 1, 0.3);
        badDraft = TestModels.load(dir.resolve("draft"), TestModels.config(VOCAB, 16, 1, List.of()), 2, 0.3);
    }

    @AfterAll
    static void closeModels() {
        target.close();
        badDraft.close();
    }

    @Test
    void greedySpeculationEmitsExactlyThePlainGreedyTokensForEveryDrafter() {
        SplittableRandom random = new SplittableRandom(5);
        List<GenerationRequest> requests = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            int[] prompt = random.ints(1 + random.nextInt(12), 0, VOCAB).toArray();
            requests.add(greedy(prompt, 1 + random.nextInt(30), 6));
        }
        List<int[]> plain = generate(null, ADAPTIVE, requests);
        for (Drafter drafter : List.of(modelDrafter(target), modelDrafter(badDraft), ngram(),
                new HybridDrafter(ngram(), modelDrafter(badDraft), 0.5))) {
            List<int[]> speculative = generate(drafter, ADAPTIVE, requests);
            for (int i = 0; i < requests.size(); i++) {
                assertArrayEquals(plain.get(i), speculative.get(i), drafter.kind() + " drafter, request " + i);
            }
        }
    }

    @Test
    void aDraftThatAlwaysAgreesHasEveryTokenAccepted() {
        GenerationRequest request = greedy(new int[] {3, 1, 4, 1, 5}, 21, 4);
        try (SpeculativeDecoder decoder = decoder(modelDrafter(target), FIXED_GAMMA_4)) {
            Sequence sequence = run(decoder, request);
            assertEquals(1.0, sequence.stats().acceptanceRate());
            assertEquals(5.0, sequence.stats().meanAcceptedLength());
            assertEquals(4, sequence.stats().drafts()); // 1 + 4 × 5 = 21 tokens: prefill, then four full blocks
        }
    }

    @Test
    void aDraftThatAlwaysDisagreesCostsNothingInOutputAndAdaptiveGammaBacksOff() {
        int[] prompt = {9, 2, 6};
        int maxTokens = 100;
        int[] expected = generate(null, ADAPTIVE, List.of(greedy(prompt, maxTokens, 6))).getFirst();
        Drafter contrarian = new Drafter() {
            @Override
            public String kind() {
                return "contrarian";
            }

            @Override
            public List<Draft> propose(List<Sequence> sequences, int[] gammas) {
                Sequence sequence = sequences.getFirst();
                int next = expected[sequence.length() - prompt.length];
                int[] wrong = new int[gammas[0]];
                Arrays.fill(wrong, (next + 1) % VOCAB);
                return List.of(new Draft(wrong, null));
            }
        };
        try (SpeculativeDecoder decoder = decoder(contrarian, ADAPTIVE)) {
            Sequence sequence = run(decoder, greedy(prompt, maxTokens, 6));
            assertArrayEquals(expected, sequence.generated());
            assertEquals(0, sequence.stats().acceptedTokens());
            // γ stays > 0 until the acceptance estimate (0.8 at first, × 0.8 per rejection) falls
            // below the fixed cost of a draft step and an extra position (~0.2): a few steps past
            // the warm-up. In the second half only the probes, at most one in 8 plans, draft.
            int[] drafted = sequence.stats().draftedPerStep();
            int half = drafted.length / 2;
            long lateDrafts = Arrays.stream(drafted, half, drafted.length).filter(count -> count > 0).count();
            assertTrue(lateDrafts <= (drafted.length - half) / ADAPTIVE.explorationInterval() + 1,
                    lateDrafts + " drafting steps among the last " + (drafted.length - half) + ": " + Arrays.toString(drafted));
        }
    }

    @Test
    void replacingTheDrafterMidGenerationLeavesGreedyOutputsUnchanged() {
        SplittableRandom random = new SplittableRandom(11);
        List<GenerationRequest> requests = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            requests.add(greedy(random.ints(3 + random.nextInt(6), 0, VOCAB).toArray(), 40, 4));
        }
        List<int[]> plain = generate(null, FIXED_GAMMA_4, requests);
        DraftModelDrafter first = modelDrafter(badDraft);
        DraftModelDrafter second = modelDrafter(target);
        try (SpeculativeDecoder decoder = decoder(first, FIXED_GAMMA_4)) {
            List<Sequence> sequences = requests.stream().map(request -> decoder.start(request).orElseThrow()).toList();
            for (int step = 0; sequences.stream().anyMatch(sequence -> !sequence.finished()); step++) {
                if (step == 3) {
                    assertEquals(first, decoder.replaceDrafter(second));
                    first.close();
                }
                decoder.step(sequences);
            }
            sequences.forEach(decoder::release);
            for (int i = 0; i < requests.size(); i++) {
                assertArrayEquals(plain.get(i), sequences.get(i).generated(), "request " + i);
                // The target drafting for itself agrees with every token after the swap.
                int[] accepted = sequences.get(i).stats().acceptedPerStep();
                assertEquals(4, accepted[accepted.length - 2], "request " + i + ": " + Arrays.toString(accepted));
            }
        }
    }

    @Test
    void pinnedSequencesKeepTheirOwnDrafterThroughAReplacementOfTheLiveOne() {
        SplittableRandom random = new SplittableRandom(13);
        List<GenerationRequest> requests = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            requests.add(greedy(random.ints(3 + random.nextInt(6), 0, VOCAB).toArray(), 30, 4));
        }
        List<GenerationRequest> unpinned = List.of(requests.get(0), requests.get(2), requests.get(4));
        List<Sequence> alone = run(modelDrafter(badDraft), FIXED_GAMMA_4, unpinned);
        List<int[]> plain = generate(null, FIXED_GAMMA_4, requests);
        DraftModelDrafter first = modelDrafter(badDraft);
        try (SpeculativeDecoder decoder = decoder(first, FIXED_GAMMA_4);
                DraftModelDrafter selfDrafting = modelDrafter(target)) {
            PinnedDrafter pinned = decoder.pin(selfDrafting);
            List<Sequence> sequences = new ArrayList<>();
            for (int i = 0; i < requests.size(); i++) {
                sequences.add(decoder.start(requests.get(i), i % 2 == 1 ? pinned : null).orElseThrow());
            }
            for (int step = 0; sequences.stream().anyMatch(sequence -> !sequence.finished()); step++) {
                if (step == 3) {
                    // The same draft afresh: unpinned sequences draft as before, after catching up.
                    assertEquals(first, decoder.replaceDrafter(modelDrafter(badDraft)));
                    first.close();
                }
                decoder.step(sequences);
            }
            sequences.forEach(decoder::release);
            for (int i = 0; i < requests.size(); i++) {
                Sequence sequence = sequences.get(i);
                assertArrayEquals(plain.get(i), sequence.generated(), "request " + i);
                if (i % 2 == 1) {
                    // The target drafting for itself: any step drafted by the live draft would show.
                    assertEquals(1.0, sequence.stats().acceptanceRate(), "pinned request " + i);
                } else {
                    Sequence reference = alone.get(i / 2);
                    assertArrayEquals(reference.stats().draftedPerStep(), sequence.stats().draftedPerStep(), "request " + i);
                    assertArrayEquals(reference.stats().acceptedPerStep(), sequence.stats().acceptedPerStep(), "request " + i);
                }
            }
        }
    }

    @Test
    void aPinnedDrafterAndTheLiveOneLearnTheirAcceptanceApart() {
        GenerationRequest request = greedy(new int[] {4, 8, 15, 16}, 40, 6);
        try (SpeculativeDecoder decoder = decoder(modelDrafter(badDraft), ADAPTIVE);
                DraftModelDrafter selfDrafting = modelDrafter(target)) {
            PinnedDrafter pinned = decoder.pin(selfDrafting);
            double[] prior = new AdaptiveSpeculation(ADAPTIVE).acceptance();
            run(decoder, request, pinned);
            run(decoder, request, pinned);
            double[] learnedPinned = startingAcceptance(decoder, request, pinned);
            assertTrue(learnedPinned[0] > prior[0], "the pinned drafter's agreement was learned: " + Arrays.toString(learnedPinned));
            assertArrayEquals(prior, startingAcceptance(decoder, request, null), "the live drafter has drafted nothing yet");

            run(decoder, request, null);
            double[] learnedLive = startingAcceptance(decoder, request, null);
            assertTrue(learnedLive[0] < learnedPinned[0], "the live draft agrees less: " + Arrays.toString(learnedLive));
            assertArrayEquals(learnedPinned, startingAcceptance(decoder, request, pinned),
                    "the live drafter's steps leave the pinned one's estimate alone");
        }
    }

    /** The acceptance estimate a new sequence starts from. */
    private static double[] startingAcceptance(SpeculativeDecoder decoder, GenerationRequest request, PinnedDrafter pinned) {
        Sequence sequence = decoder.start(request, pinned).orElseThrow();
        decoder.release(sequence);
        return sequence.speculation().acceptance();
    }

    @Test
    void gammaZeroIsPlainDecoding() {
        AdaptiveSpeculation.Config off = new AdaptiveSpeculation.Config(0, 0, 0, 0, 0.5, 0.1, 1);
        GenerationRequest request = greedy(new int[] {7, 7}, 15, 6);
        try (SpeculativeDecoder decoder = decoder(modelDrafter(target), off)) {
            Sequence sequence = run(decoder, request);
            assertEquals(0, sequence.stats().drafts());
            assertArrayEquals(generate(null, off, List.of(request)).getFirst(), sequence.generated());
        }
    }

    @Test
    void anEmptyNgramCacheProposesNothingAndDecodesPlainly() {
        GenerationRequest request = greedy(new int[] {1, 2, 3, 4}, 12, 6);
        try (SpeculativeDecoder decoder = decoder(ngram(), FIXED_GAMMA_4)) {
            Sequence sequence = run(decoder, request);
            assertArrayEquals(generate(null, FIXED_GAMMA_4, List.of(request)).getFirst(), sequence.generated());
        }
    }

    @Test
    void maxTokensInsideADraftedBlockStopsExactlyThere() {
        int[] prompt = {5, 8, 13};
        int[] plain = generate(null, FIXED_GAMMA_4, List.of(greedy(prompt, 30, 6))).getFirst();
        for (int maxTokens : new int[] {1, 2, 3, 6, 7}) {
            try (SpeculativeDecoder decoder = decoder(modelDrafter(target), FIXED_GAMMA_4)) {
                Sequence sequence = run(decoder, greedy(prompt, maxTokens, 4));
                assertArrayEquals(Arrays.copyOf(plain, maxTokens), sequence.generated(), "max_tokens " + maxTokens);
                assertEquals(StopCondition.Finish.MAX_TOKENS, sequence.finish());
            }
        }
    }

    @Test
    void eosInsideADraftedBlockEndsGenerationWithNothingAfterIt() throws IOException {
        int[] prompt = {2, 4, 6, 8};
        int[] plain = generate(null, FIXED_GAMMA_4, List.of(greedy(prompt, 30, 6))).getFirst();
        int eosAt = firstNewTokenAtOrAfter(plain, 6); // index into the output whose token first appears there
        ModelConfig withEos = TestModels.config(VOCAB, 32, 2, List.of(plain[eosAt]));
        try (Transformer eosTarget = TestModels.load(dir.resolve("eos"), withEos, 1, 0.3);
                KVCache cache = eosTarget.newCache(4, 128, NO_BOUND);
                SpeculativeDecoder decoder = new SpeculativeDecoder(eosTarget, cache,
                        new DraftModelDrafter(target, target.newCache(4, 128, NO_BOUND)), FIXED_GAMMA_4, DECODE,
                        new MeasuredCost(1, 0.02, 0.2))) {
            Sequence sequence = run(decoder, greedy(prompt, 30, 4));
            assertArrayEquals(Arrays.copyOf(plain, eosAt + 1), sequence.generated());
            assertEquals(StopCondition.Finish.EOS, sequence.finish());
        }
    }

    @Test
    void sequencesJoinAndLeaveTheBatchBetweenIterationsAndArePrefilledInForwardsOfTheirOwn() {
        List<GenerationRequest> requests = List.of(
                greedy(new int[] {1}, 3, 4), greedy(new int[] {2, 3}, 17, 4), greedy(new int[] {4, 5, 6}, 9, 2));
        List<int[]> plain = generate(null, ADAPTIVE, requests);
        Recording recordedTarget = new Recording(target);
        Recording recordedDraft = new Recording(badDraft);
        try (SpeculativeDecoder decoder = new SpeculativeDecoder(recordedTarget, target.newCache(16, 128, NO_BOUND),
                new DraftModelDrafter(recordedDraft, badDraft.newCache(16, 128, NO_BOUND)), ADAPTIVE, DECODE,
                MeasuredCost.fixed(1, 0.02, 0.2))) {
            List<Sequence> running = new ArrayList<>();
            running.add(decoder.start(requests.get(0)).orElseThrow());
            decoder.step(running);
            running.add(decoder.start(requests.get(1)).orElseThrow()); // joins mid-flight
            decoder.step(running);
            running.add(decoder.start(requests.get(2)).orElseThrow());
            List<Sequence> all = List.copyOf(running);
            while (!running.isEmpty()) {
                decoder.step(running);
                for (Sequence finished : running.stream().filter(Sequence::finished).toList()) {
                    decoder.release(finished);
                    running.remove(finished);
                }
            }
            for (int i = 0; i < requests.size(); i++) {
                assertArrayEquals(plain.get(i), all.get(i).generated(), "request " + i);
            }
        }
        // A prompt would pad every decoding block to its length: target prefills have forwards of
        // their own, and so do the draft's catch-ups (more than one token fed).
        for (List<ScoreRequest> forward : recordedTarget.forwards) {
            long prefills = forward.stream().filter(request -> request.startPosition() == 0).count();
            assertTrue(prefills == 0 || prefills == forward.size(), "a target forward mixed prefill and decoding: " + forward);
        }
        for (List<ScoreRequest> forward : recordedDraft.forwards) {
            long catchUps = forward.stream().filter(request -> request.tokens().length > 1).count();
            assertTrue(catchUps == 0 || catchUps == forward.size(), "a draft forward mixed catch-up and drafting: " + forward);
        }
        assertTrue(recordedDraft.forwards.stream().anyMatch(forward -> forward.getFirst().tokens().length > 1));
    }

    /** A model that records the requests of every forward it runs. */
    private static final class Recording implements CausalLM {
        final List<List<ScoreRequest>> forwards = new ArrayList<>();
        private final CausalLM model;

        Recording(CausalLM model) {
            this.model = model;
        }

        @Override
        public ModelConfig config() {
            return model.config();
        }

        @Override
        public KVCache newCache(int slots, int maxLength, long maxBytes) {
            return model.newCache(slots, maxLength, maxBytes);
        }

        @Override
        public List<float[][]> score(KVCache cache, List<ScoreRequest> batch) {
            forwards.add(batch);
            return model.score(cache, batch);
        }

        @Override
        public void close() {}
    }

    static GenerationRequest greedy(int[] prompt, int maxTokens, int maxDraftTokens) {
        return new GenerationRequest(prompt, SamplingParams.GREEDY, 0, maxTokens, List.of(), maxDraftTokens);
    }

    private static int firstNewTokenAtOrAfter(int[] tokens, int from) {
        for (int i = from; i < tokens.length; i++) {
            int token = tokens[i];
            if (Arrays.stream(tokens, 0, i).noneMatch(earlier -> earlier == token)) {
                return i;
            }
        }
        throw new IllegalStateException("no fresh token in " + Arrays.toString(tokens));
    }

    private static DraftModelDrafter modelDrafter(CausalLM model) {
        return new DraftModelDrafter(model, model.newCache(16, 128, NO_BOUND));
    }

    private static NgramDrafter ngram() {
        return new NgramDrafter(new PromptLookup(1, 3), new NgramCache(1, 3, 1000, 4));
    }

    /** Costs fixed at their priors, so that adaptive γ does not follow the machine's timing noise. */
    private static SpeculativeDecoder decoder(Drafter drafter, AdaptiveSpeculation.Config speculation) {
        return new SpeculativeDecoder(target, target.newCache(16, 128, NO_BOUND), drafter, speculation, DECODE,
                MeasuredCost.fixed(1, 0.02, 0.2));
    }

    private static Sequence run(SpeculativeDecoder decoder, GenerationRequest request) {
        return run(decoder, request, null);
    }

    private static Sequence run(SpeculativeDecoder decoder, GenerationRequest request, PinnedDrafter pinned) {
        Sequence sequence = decoder.start(request, pinned).orElseThrow();
        while (!sequence.finished()) {
            decoder.step(List.of(sequence));
        }
        decoder.release(sequence);
        return sequence;
    }

    /** Generates all requests as one batch; returns each one's generated tokens. */
    static List<int[]> generate(Drafter drafter, AdaptiveSpeculation.Config speculation, List<GenerationRequest> requests) {
        return run(drafter, speculation, requests).stream().map(Sequence::generated).toList();
    }

    /** Generates all requests as one batch; returns their finished sequences. */
    private static List<Sequence> run(Drafter drafter, AdaptiveSpeculation.Config speculation, List<GenerationRequest> requests) {
        try (SpeculativeDecoder decoder = decoder(drafter, speculation)) {
            List<Sequence> sequences = requests.stream().map(request -> decoder.start(request).orElseThrow()).toList();
            while (sequences.stream().anyMatch(sequence -> !sequence.finished())) {
                decoder.step(sequences);
            }
            sequences.forEach(decoder::release);
            return sequences;
        }
    }
}
