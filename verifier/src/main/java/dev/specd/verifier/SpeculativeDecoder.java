package dev.specd.verifier;

import dev.specd.model.CausalLM;
import dev.specd.model.KVCache;
import dev.specd.model.LogitsProcessor;
import dev.specd.model.ScoreRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * One speculative iteration over a batch of sequences (Leviathan et al. 2023, batched): the drafter
 * proposes γ_i tokens per sequence, one target forward scores every sequence's pending token plus
 * its drafted block (new sequences are prefilled in a forward of their own), rejection sampling keeps the
 * longest acceptable prefix and adds a correction or bonus token, and both KV caches roll back past
 * what was rejected. γ_i = 0 is plain decoding. Used by one inference thread; sequences join and
 * leave between iterations.
 *
 * <p>A sequence drafts with the decoder's live drafter, or with a {@link PinnedDrafter} it was started
 * with; each drafter proposes once per iteration for all of its sequences.
 */
public final class SpeculativeDecoder implements AutoCloseable {

    /**
     * What one iteration produced for one sequence.
     *
     * @param tokens the tokens emitted this iteration, already cut at a stop
     * @param targetLogits [tokens.length][vocab] the target's raw logits that each emitted token was
     *     verified or sampled against, straight from the verification pass (for the query log)
     * @param step drafted and accepted counts, null for the prefill iteration
     */
    public record StepOutput(Sequence sequence, int[] tokens, float[][] targetLogits, SpeculationStep step) {}

    /** The sequences one drafter proposes for in an iteration, with their γ and their place in the batch. */
    private static final class Proposal {
        final List<Sequence> sequences = new ArrayList<>();
        final List<Integer> gammas = new ArrayList<>();
        final List<Integer> indices = new ArrayList<>();
    }

    private final CausalLM target;
    private final KVCache targetCache;
    private Drafter drafter; // replaced between iterations only, on the stepping thread
    private final AdaptiveSpeculation.Config speculation;
    private final Function<int[], String> decode;
    private final Set<Integer> stopTokenIds;
    private final MeasuredCost cost;
    /** Acceptance learned from every unpinned sequence's steps with the live drafter: new ones start from it. */
    private AdaptiveSpeculation population;
    private final SpeculationPlanner planner;
    private long nextSequenceId;

    /**
     * @param drafter null for plain decoding only
     * @param speculation adaptive-γ bounds and priors for every new sequence
     * @param decode token ids to text (special tokens skipped), for stop strings and streaming
     */
    public SpeculativeDecoder(CausalLM target, KVCache targetCache, Drafter drafter,
            AdaptiveSpeculation.Config speculation, Function<int[], String> decode, MeasuredCost cost) {
        this.target = target;
        this.targetCache = targetCache;
        this.drafter = drafter;
        this.speculation = speculation;
        this.population = new AdaptiveSpeculation(speculation);
        this.planner = new SpeculationPlanner(speculation.explorationInterval());
        this.decode = decode;
        this.stopTokenIds = new HashSet<>(target.config().eosTokenIds());
        this.cost = cost;
    }

    public Optional<Drafter> drafter() {
        return Optional.ofNullable(drafter);
    }

    /**
     * Puts {@code next} in the drafter's place between two iterations (on the thread that steps)
     * and returns the drafter it replaces, for the caller to close. Sequences in flight go on: the
     * new drafter holds nothing for them yet, and a model drafter catches up on all their tokens
     * the first time it drafts for them. Outputs are unchanged (verification is lossless); each
     * sequence's adaptive γ keeps its estimates and relearns them from the new drafter's results.
     * Pinned sequences keep their own drafter.
     *
     * @throws IllegalStateException when this decoder was made without a drafter
     */
    public Drafter replaceDrafter(Drafter next) {
        if (drafter == null || next == null) {
            throw new IllegalStateException("only a decoder made with a drafter can have it replaced, by another one");
        }
        Drafter previous = drafter;
        drafter = next;
        population = new AdaptiveSpeculation(speculation); // another draft accepts differently
        return previous;
    }

    /**
     * {@code drafter}, wrapped for sequences to keep whatever the live drafter becomes; may be called
     * on any thread. The caller still owns the drafter.
     */
    public PinnedDrafter pin(Drafter drafter) {
        return new PinnedDrafter(drafter, new AdaptiveSpeculation(speculation));
    }

    /** A new sequence drafted by the live drafter, holding a target cache slot; empty when every slot is taken. */
    public Optional<Sequence> start(GenerationRequest request) {
        return start(request, null);
    }

    /**
     * A new sequence holding a target cache slot, or empty when every slot is taken.
     *
     * @param pinned the drafter it drafts with until it is released, or null for the live drafter
     */
    public Optional<Sequence> start(GenerationRequest request, PinnedDrafter pinned) {
        int needed = request.prompt().length + request.maxTokens();
        if (needed > targetCache.maxLength()) {
            throw new IllegalArgumentException("prompt (" + request.prompt().length + " tokens) + max_tokens ("
                    + request.maxTokens() + ") exceeds the context length " + targetCache.maxLength());
        }
        OptionalInt slot = targetCache.acquire();
        if (slot.isEmpty()) {
            return Optional.empty();
        }
        int[] prompt = request.prompt();
        int[] promptTail = Arrays.copyOfRange(prompt, Math.max(0, prompt.length - 5), prompt.length);
        StopCondition stop = new StopCondition(stopTokenIds, request.maxTokens(), request.stop(), decode, promptTail);
        AdaptiveSpeculation learned = pinned == null ? population : pinned.population();
        return Optional.of(new Sequence(nextSequenceId++, request, slot.getAsInt(), stop,
                AdaptiveSpeculation.startingFrom(learned), pinned));
    }

    /** Frees the sequence's cache slots; call once it is finished or abandoned. */
    public void release(Sequence sequence) {
        targetCache.release(sequence.targetSlot());
        Drafter own = drafterOf(sequence);
        if (own != null) {
            own.release(sequence);
        }
    }

    /** One iteration for every given sequence that has not finished. */
    public List<StepOutput> step(List<Sequence> sequences) {
        List<Sequence> running = sequences.stream().filter(sequence -> !sequence.finished()).toList();
        if (running.isEmpty()) {
            return List.of();
        }
        List<Draft> drafts = draft(running);
        // New sequences are prefilled in a forward of their own: the batched forward pads every
        // request to the longest, and a prompt of hundreds of tokens would pad every decoding
        // sequence's block to it.
        List<Integer> prefilling = new ArrayList<>();
        List<Integer> decoding = new ArrayList<>();
        for (int i = 0; i < running.size(); i++) {
            (running.get(i).prefilled() ? decoding : prefilling).add(i);
        }
        List<float[][]> logits = new ArrayList<>(Collections.nCopies(running.size(), null));
        if (!prefilling.isEmpty()) {
            score(prefilling, i -> ScoreRequest.lastPosition(running.get(i).targetSlot(), 0, running.get(i).request().prompt()),
                    logits);
        }
        if (!decoding.isEmpty()) {
            int longestBlock = 1 + decoding.stream().mapToInt(i -> drafts.get(i).size()).max().orElseThrow();
            long start = System.nanoTime();
            score(decoding, i -> {
                Sequence sequence = running.get(i);
                int[] block = new int[1 + drafts.get(i).size()];
                block[0] = sequence.lastToken();
                System.arraycopy(drafts.get(i).tokens(), 0, block, 1, drafts.get(i).size());
                return ScoreRequest.allPositions(sequence.targetSlot(), sequence.length() - 1, block);
            }, logits);
            // The forward pads every block to the longest, so that is what it computed.
            cost.observeTarget(decoding.size(), longestBlock, (System.nanoTime() - start) / 1e6);
        }

        List<StepOutput> outputs = new ArrayList<>(running.size());
        for (int i = 0; i < running.size(); i++) {
            Sequence sequence = running.get(i);
            outputs.add(sequence.prefilled()
                    ? verify(sequence, drafts.get(i), logits.get(i))
                    : firstToken(sequence, logits.get(i)));
            Drafter own = drafterOf(sequence);
            if (own != null) {
                own.committed(sequence);
            }
        }
        return outputs;
    }

    /** One target forward over the given running sequences; their logits land at their indices. */
    private void score(List<Integer> indices, IntFunction<ScoreRequest> request, List<float[][]> logits) {
        List<float[][]> scored = target.score(targetCache, indices.stream().map(request::apply).toList());
        for (int j = 0; j < indices.size(); j++) {
            logits.set(indices.get(j), scored.get(j));
        }
    }

    /** The drafter a sequence drafts with now: its pinned one, else the live one (null when there is none). */
    private Drafter drafterOf(Sequence sequence) {
        return sequence.pinned() == null ? drafter : sequence.pinned().drafter();
    }

    private AdaptiveSpeculation populationOf(Sequence sequence) {
        return sequence.pinned() == null ? population : sequence.pinned().population();
    }

    private List<Draft> draft(List<Sequence> running) {
        List<Draft> drafts = new ArrayList<>(Collections.nCopies(running.size(), Draft.NONE));
        List<Integer> prefilled = new ArrayList<>();
        List<SpeculationPlanner.Candidate> candidates = new ArrayList<>();
        for (int i = 0; i < running.size(); i++) {
            Sequence sequence = running.get(i);
            if (sequence.prefilled() && drafterOf(sequence) != null) {
                // A block of γ emits up to γ + 1 tokens; never draft past max_tokens or the cache.
                int cap = Math.min(sequence.request().maxDraftTokens(), sequence.stop().remainingTokens() - 1);
                cap = Math.min(cap, targetCache.maxLength() - sequence.length());
                prefilled.add(i);
                candidates.add(SpeculationPlanner.Candidate.of(sequence.speculation(), cap));
            }
        }
        if (candidates.isEmpty()) {
            return drafts;
        }
        // Costs at the size of the verification forward: prefills run in one of their own.
        int verifying = (int) running.stream().filter(Sequence::prefilled).count();
        int[] planned = planner.plan(candidates, cost.at(verifying));
        Map<Drafter, Proposal> byDrafter = new LinkedHashMap<>();
        for (int j = 0; j < planned.length; j++) {
            if (planned[j] > 0) {
                Sequence sequence = running.get(prefilled.get(j));
                Proposal proposal = byDrafter.computeIfAbsent(drafterOf(sequence), ignored -> new Proposal());
                proposal.sequences.add(sequence);
                proposal.gammas.add(planned[j]);
                proposal.indices.add(prefilled.get(j));
            }
        }
        byDrafter.forEach((own, proposal) -> {
            int[] gammas = proposal.gammas.stream().mapToInt(Integer::intValue).toArray();
            int deepest = Arrays.stream(gammas).max().getAsInt();
            long start = System.nanoTime();
            List<Draft> proposed = own.propose(proposal.sequences, gammas);
            cost.observeDraftStep((System.nanoTime() - start) / 1e6 / deepest);
            for (int j = 0; j < proposal.indices.size(); j++) {
                drafts.set(proposal.indices.get(j), proposed.get(j));
            }
        });
        return drafts;
    }

    private StepOutput firstToken(Sequence sequence, float[][] logits) {
        sequence.markPrefilled();
        float[] p = LogitsProcessor.probabilities(logits[0], sequence.request().sampling());
        int[] emitted = {LogitsProcessor.sample(p, sequence.random())};
        return emit(sequence, emitted, logits, null);
    }

    private StepOutput verify(Sequence sequence, Draft draft, float[][] logits) {
        float[][] p = new float[logits.length][];
        for (int row = 0; row < logits.length; row++) {
            p[row] = LogitsProcessor.probabilities(logits[row], sequence.request().sampling());
        }
        RejectionSampler.Verdict verdict = RejectionSampler.verify(draft.tokens(), draft.probabilities(), p, sequence.random());
        SpeculationStep step = verdict.step();
        sequence.stats().record(step);
        if (draft.size() > 0) {
            sequence.speculation().observe(step);
            populationOf(sequence).observe(step);
        }
        return emit(sequence, verdict.emitted(draft.tokens()), logits, step);
    }

    /** Appends what the stop condition keeps and rolls the target cache back to all but the new last token. */
    private StepOutput emit(Sequence sequence, int[] emitted, float[][] logits, SpeculationStep step) {
        StopCondition.Decision decision = sequence.stop().append(emitted);
        int kept = decision.keptTokens();
        sequence.append(emitted, kept);
        targetCache.rollback(sequence.targetSlot(), Math.min(targetCache.length(sequence.targetSlot()), sequence.length() - 1));
        return new StepOutput(sequence, Arrays.copyOf(emitted, kept), Arrays.copyOf(logits, kept), step);
    }

    /** Closes the live drafter; pinned drafters are their makers' to close. */
    @Override
    public void close() {
        if (drafter != null) {
            drafter.close();
        }
    }
}
