package dev.specd.trainer.pretrain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.specd.model.llama.Transformer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Scores the finished pair on every domain's held-out text: each model's mean next-token
 * cross-entropy, and the draft's static acceptance by the target, over the same fixed windows
 * ({@link TokenStream#heldOutWindows}).
 */
public final class HeldOutEvaluation {

    /** Windows scored in one forward pass. */
    private static final int CHUNK = 4;

    /**
     * @param windows windows of {@code sequenceLength + 1} tokens scored per domain
     * @param targetLoss mean cross-entropy in nats per token
     */
    public record DomainResult(String domain, int windows, int sequenceLength, double targetLoss, double draftLoss,
            StaticAcceptance acceptance) {}

    private HeldOutEvaluation() {}

    public static List<DomainResult> evaluate(Transformer target, Transformer draft, List<TokenizedDomain> domains,
            int windows, int sequenceLength) {
        List<DomainResult> results = new ArrayList<>();
        for (TokenizedDomain domain : domains) {
            TokenStream.Batch batch = TokenStream.heldOutWindows(domain, windows, sequenceLength);
            double targetLossSum = 0;
            double draftLossSum = 0;
            StaticAcceptance acceptance = StaticAcceptance.NONE;
            int window = sequenceLength + 1;
            try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
                for (int from = 0; from < windows; from += CHUNK) {
                    int rows = Math.min(CHUNK, windows - from);
                    try (NDScope ignored = new NDScope()) {
                        long[] tokens = Arrays.copyOfRange(batch.tokens(), from * window, (from + rows) * window);
                        NDArray all = manager.create(tokens, new Shape(rows, window));
                        NDArray inputs = all.get(":, :-1");
                        NDArray targets = all.get(":, 1:");
                        NDArray targetLogits = target.logits(inputs); // [rows, T, V]
                        NDArray draftLogits = draft.logits(inputs);
                        targetLossSum += CrossEntropy.perPosition(targetLogits, targets).sum().getFloat();
                        draftLossSum += CrossEntropy.perPosition(draftLogits, targets).sum().getFloat();
                        acceptance = acceptance.plus(StaticAcceptance.of(targetLogits, draftLogits));
                    }
                }
            }
            double positions = (double) windows * sequenceLength;
            results.add(new DomainResult(domain.domain(), windows, sequenceLength, targetLossSum / positions,
                    draftLossSum / positions, acceptance));
        }
        return results;
    }
}
