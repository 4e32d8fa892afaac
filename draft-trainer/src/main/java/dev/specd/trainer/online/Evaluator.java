package dev.specd.trainer.online;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.specd.model.llama.Transformer;
import java.util.List;

/** Scores a draft on held-out records with the teacher-forced forward, a few records at a time. */
public final class Evaluator {

    private final int maxLength;
    private final int batchSize;

    /**
     * @param maxLength tokens per record read by the draft, as in training
     * @param batchSize records per forward
     */
    public Evaluator(int maxLength, int batchSize) {
        this.maxLength = maxLength;
        this.batchSize = batchSize;
    }

    /** Runs on the training thread; {@code draft} must not require gradients (a loaded model or a trainer's candidate view). */
    public Evaluation evaluate(Transformer draft, List<TrainingRecord> records) {
        double accepted = 0;
        double matched = 0;
        long positions = 0;
        for (int start = 0; start < records.size(); start += batchSize) {
            DistillationBatch batch = DistillationBatch.of(
                    records.subList(start, Math.min(records.size(), start + batchSize)), maxLength);
            if (batch.positions() == 0) {
                continue;
            }
            try (NDManager inputs = NDManager.newBaseManager(draft.device(), "PyTorch");
                    NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray logits = draft.logits(inputs.create(batch.tokens, new Shape(batch.size, batch.length)));
                NDArray mask = inputs.create(batch.mask, new Shape(batch.size, batch.length));
                DistillationLoss.Buckets buckets = DistillationLoss.project(logits, batch);
                accepted += DistillationLoss.expectedAcceptance(buckets).mul(mask).sum().getFloat();
                matched += DistillationLoss.greedyMatch(logits, batch).mul(mask).sum().getFloat();
            }
            positions += batch.positions();
        }
        if (positions == 0) {
            return Evaluation.NONE;
        }
        return new Evaluation(accepted / positions, matched / positions, positions, records.size());
    }
}
