package dev.specd.trainer.online;

/**
 * When the candidate is judged and what it must show to replace the serving draft. Both drafts are
 * scored on the same held-out records, so the comparison is paired and the margin guards only
 * against noise and churn, not against a different sample.
 *
 * @param evaluateEverySteps training steps between two evaluations
 * @param minGain the candidate's expected acceptance must reach serving's plus this much (>= 0)
 * @param greedyTolerance and its greedy match may fall short of serving's by at most this much
 * @param minPositions held-out positions needed before any verdict
 * @param batchSize held-out records per evaluation forward
 */
public record PromotionPolicy(int evaluateEverySteps, double minGain, double greedyTolerance, int minPositions,
        int batchSize) {

    public PromotionPolicy {
        if (evaluateEverySteps < 1 || minPositions < 1 || batchSize < 1) {
            throw new IllegalArgumentException("evaluateEverySteps, minPositions and batchSize must be positive");
        }
        if (!(minGain >= 0) || !(greedyTolerance >= 0)) {
            // A negative margin would promote candidates that evaluate worse than what serves.
            throw new IllegalArgumentException("minGain and greedyTolerance must be >= 0, got " + minGain + " and "
                    + greedyTolerance);
        }
    }

    /** Every 200 steps; promote on +0.01 expected acceptance with greedy match no more than 0.01 worse, over ≥ 256 positions. */
    public static PromotionPolicy defaults() {
        return new PromotionPolicy(200, 0.01, 0.01, 256, 8);
    }

    public PromotionPolicy withEvery(int evaluateEverySteps) {
        return new PromotionPolicy(evaluateEverySteps, minGain, greedyTolerance, minPositions, batchSize);
    }

    public PromotionPolicy withMinPositions(int minPositions) {
        return new PromotionPolicy(evaluateEverySteps, minGain, greedyTolerance, minPositions, batchSize);
    }

    public PromotionPolicy withMargins(double minGain, double greedyTolerance) {
        return new PromotionPolicy(evaluateEverySteps, minGain, greedyTolerance, minPositions, batchSize);
    }

    public Verdict judge(long step, Evaluation serving, Evaluation candidate) {
        String reason;
        boolean promote = false;
        if (candidate.positions() < minPositions) {
            reason = "only " + candidate.positions() + " held-out positions, " + minPositions + " needed";
        } else if (!(candidate.expectedAcceptance() >= serving.expectedAcceptance() + minGain)) {
            reason = String.format("expected acceptance %.4f does not beat serving's %.4f by %.4f",
                    candidate.expectedAcceptance(), serving.expectedAcceptance(), minGain);
        } else if (!(candidate.greedyMatch() >= serving.greedyMatch() - greedyTolerance)) {
            reason = String.format("greedy match %.4f is more than %.4f below serving's %.4f",
                    candidate.greedyMatch(), greedyTolerance, serving.greedyMatch());
        } else {
            promote = true;
            reason = String.format("expected acceptance %.4f -> %.4f, greedy match %.4f -> %.4f",
                    serving.expectedAcceptance(), candidate.expectedAcceptance(), serving.greedyMatch(),
                    candidate.greedyMatch());
        }
        return new Verdict(step, serving, candidate, promote, reason);
    }

    /** The outcome of one evaluation. */
    public record Verdict(long step, Evaluation serving, Evaluation candidate, boolean promote, String reason) {}
}
