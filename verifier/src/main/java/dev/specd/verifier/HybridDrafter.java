package dev.specd.verifier;

import java.util.ArrayList;
import java.util.List;

/**
 * N-gram proposal when it is confident, draft model otherwise (OmniDraft's n-gram cache beside an
 * online drafter). Confident means the n-gram source estimates its first token is accepted with
 * probability at least {@code minConfidence}; such proposals cost no forward pass at all.
 */
public final class HybridDrafter implements Drafter {

    public static final String KIND = "hybrid";

    private final NgramDrafter ngram;
    private final DraftModelDrafter model;
    private final double minConfidence;

    public HybridDrafter(NgramDrafter ngram, DraftModelDrafter model, double minConfidence) {
        if (!(minConfidence >= 0 && minConfidence <= 1)) {
            throw new IllegalArgumentException("minConfidence must be in [0, 1], got " + minConfidence);
        }
        this.ngram = ngram;
        this.model = model;
        this.minConfidence = minConfidence;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public List<Draft> propose(List<Sequence> sequences, int[] gammas) {
        List<Draft> drafts = new ArrayList<>(sequences.size());
        List<Sequence> forModel = new ArrayList<>();
        List<Integer> modelGammas = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        for (int i = 0; i < sequences.size(); i++) {
            Sequence sequence = sequences.get(i);
            NgramProposal proposal = ngram.propose(sequence.tokens(), sequence.length(), gammas[i]);
            if (!proposal.isEmpty() && proposal.confidence()[0] >= minConfidence) {
                drafts.add(new Draft(proposal.tokens(), null));
            } else {
                drafts.add(null);
                forModel.add(sequence);
                modelGammas.add(gammas[i]);
                positions.add(i);
            }
        }
        if (!forModel.isEmpty()) {
            List<Draft> modelDrafts = model.propose(forModel, modelGammas.stream().mapToInt(Integer::intValue).toArray());
            for (int j = 0; j < positions.size(); j++) {
                drafts.set(positions.get(j), modelDrafts.get(j));
            }
        }
        return drafts;
    }

    @Override
    public void committed(Sequence sequence) {
        model.committed(sequence);
    }

    @Override
    public void release(Sequence sequence) {
        ngram.release(sequence);
        model.release(sequence);
    }

    @Override
    public void close() {
        model.close();
    }
}
