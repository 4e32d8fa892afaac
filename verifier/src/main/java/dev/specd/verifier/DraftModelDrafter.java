package dev.specd.verifier;

import dev.specd.model.CausalLM;
import dev.specd.model.KVCache;
import dev.specd.model.LogitsProcessor;
import dev.specd.model.ScoreRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Drafts with a small model that shares the target's tokenizer, keeping its own KV cache. Each
 * proposal first feeds the draft the sequence's tokens it has not seen (the last accepted ones),
 * then runs γ − 1 more single-token steps, all sequences batched in each forward. The draft samples
 * from its processed distribution q with the sequence's own random stream, and returns q for
 * verification.
 */
public final class DraftModelDrafter implements Drafter {

    public static final String KIND = "model";

    private final CausalLM draft;
    private final KVCache cache;
    private final Map<Sequence, Integer> slots = new IdentityHashMap<>();

    /** Takes ownership of {@code cache}, which must come from {@code draft.newCache}. */
    public DraftModelDrafter(CausalLM draft, KVCache cache) {
        this.draft = draft;
        this.cache = cache;
    }

    @Override
    public String kind() {
        return KIND;
    }

    public CausalLM model() {
        return draft;
    }

    @Override
    public List<Draft> propose(List<Sequence> sequences, int[] gammas) {
        int count = sequences.size();
        int[] slotOf = new int[count];
        int[] gammaOf = new int[count];
        int[][] drafted = new int[count][];
        float[][][] distributions = new float[count][][];
        int longest = 0;
        for (int i = 0; i < count; i++) {
            Sequence sequence = sequences.get(i);
            OptionalInt slot = slotFor(sequence);
            // Catch-up and γ − 1 steps write up to position length + γ − 2.
            int room = cache.maxLength() - sequence.length() + 1;
            gammaOf[i] = slot.isPresent() ? Math.max(0, Math.min(gammas[i], room)) : 0;
            slotOf[i] = slot.orElse(-1);
            drafted[i] = new int[gammaOf[i]];
            distributions[i] = new float[gammaOf[i]][];
            longest = Math.max(longest, gammaOf[i]);
        }
        for (int step = 0; step < longest; step++) {
            // Step 0 feeds one token per sequence in steady state but a whole prompt (a new
            // sequence) or a backlog (after plain-decoding steps) to some: those catch up in a
            // forward of their own rather than pad every other sequence's block to their length.
            List<Integer> steady = new ArrayList<>();
            List<Integer> catchingUp = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                if (gammaOf[i] > step) {
                    boolean backlog = step == 0 && sequences.get(i).length() - cache.length(slotOf[i]) > 1;
                    (backlog ? catchingUp : steady).add(i);
                }
            }
            for (List<Integer> members : List.of(steady, catchingUp)) {
                if (members.isEmpty()) {
                    continue;
                }
                int current = step;
                List<float[][]> logits = draft.score(cache, members.stream()
                        .map(i -> request(sequences.get(i), slotOf[i], current, current == 0 ? 0 : drafted[i][current - 1]))
                        .toList());
                for (int j = 0; j < members.size(); j++) {
                    int i = members.get(j);
                    Sequence sequence = sequences.get(i);
                    float[] q = LogitsProcessor.probabilities(logits.get(j)[0], sequence.request().sampling());
                    distributions[i][step] = q;
                    drafted[i][step] = LogitsProcessor.sample(q, sequence.random());
                }
            }
        }
        List<Draft> drafts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            drafts.add(gammaOf[i] == 0 ? Draft.NONE : new Draft(drafted[i], distributions[i]));
        }
        return drafts;
    }

    /** Step 0 feeds every token the draft cache lacks; later steps feed the previous drafted token. */
    private ScoreRequest request(Sequence sequence, int slot, int step, int previousDraft) {
        if (step == 0) {
            int seen = cache.length(slot);
            return ScoreRequest.lastPosition(slot, seen, Arrays.copyOfRange(sequence.tokens(), seen, sequence.length()));
        }
        return ScoreRequest.lastPosition(slot, sequence.length() + step - 1, new int[] {previousDraft});
    }

    private OptionalInt slotFor(Sequence sequence) {
        Integer slot = slots.get(sequence);
        if (slot != null) {
            return OptionalInt.of(slot);
        }
        OptionalInt acquired = cache.acquire();
        acquired.ifPresent(value -> slots.put(sequence, value));
        return acquired;
    }

    /** Keeps the cached prefix that still matches the sequence: all of it but the pending last token. */
    @Override
    public void committed(Sequence sequence) {
        Integer slot = slots.get(sequence);
        if (slot != null) {
            cache.rollback(slot, Math.min(cache.length(slot), sequence.length() - 1));
        }
    }

    @Override
    public void release(Sequence sequence) {
        Integer slot = slots.remove(sequence);
        if (slot != null) {
            cache.release(slot);
        }
    }

    @Override
    public void close() {
        cache.close();
    }
}
