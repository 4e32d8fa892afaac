package dev.specd.verifier;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The n-gram drafter: prompt lookup within the sequence and the cross-request {@link NgramCache},
 * whichever expects more accepted tokens. Needs no model; its proposals are deterministic (verify
 * them with a {@code null} draft distribution). Thread-safe as its parts are.
 */
public record NgramDrafter(PromptLookup promptLookup, NgramCache cache) implements Drafter {

    public static final String KIND = "ngram";

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public List<Draft> propose(List<Sequence> sequences, int[] gammas) {
        List<Draft> drafts = new ArrayList<>(sequences.size());
        for (int i = 0; i < sequences.size(); i++) {
            Sequence sequence = sequences.get(i);
            drafts.add(new Draft(propose(sequence.tokens(), sequence.length(), gammas[i]).tokens(), null));
        }
        return drafts;
    }

    /** Up to maxTokens tokens to follow tokens[0..length); empty when neither source knows this context. */
    public NgramProposal propose(int[] tokens, int length, int maxTokens) {
        NgramProposal fromPrompt = promptLookup.propose(tokens, length, maxTokens);
        NgramProposal fromCache = cache.propose(tokens, length, maxTokens);
        return fromCache.expectedAccepted() > fromPrompt.expectedAccepted() ? fromCache : fromPrompt;
    }

    public NgramProposal propose(int[] context, int maxTokens) {
        return propose(context, context.length, maxTokens);
    }

    /** Learns from a served sequence. */
    public void record(int[] servedTokens) {
        cache.record(servedTokens);
    }

    /** A finished sequence's prompt and output feed the cross-request cache. */
    @Override
    public void release(Sequence sequence) {
        record(Arrays.copyOf(sequence.tokens(), sequence.length()));
    }
}
