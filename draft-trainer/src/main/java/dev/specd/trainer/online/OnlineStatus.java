package dev.specd.trainer.online;

import java.util.List;

/**
 * A snapshot of the online trainer, for the admin API and meters.
 *
 * @param state what the training thread is doing
 * @param steps training steps applied
 * @param lossEwma exponentially weighted mean of the step loss (α = 0.05); NaN before the first step
 * @param recordsConsumed query-log records read
 * @param trainingRecords records in the replay window
 * @param heldOutRecords records in the held-out slice
 * @param lastVerdict the latest evaluation and its outcome; null before the first
 * @param servingVersion the registry's current version as the trainer last saw it
 * @param versions every registered version, oldest first
 * @param promotions candidates promoted by this trainer
 * @param grantedSteps steps and evaluations the governor granted
 * @param deferredSteps steps the governor held back at least once for serving's load
 * @param trainingShare share of wall time since start spent training and evaluating
 * @param lastRefusal why the governor last refused ("" if never)
 * @param lastError why the trainer failed; null unless {@code state} is FAILED
 */
public record OnlineStatus(OnlineTrainer.State state, long steps, double lossEwma, long recordsConsumed,
        int trainingRecords, int heldOutRecords, PromotionPolicy.Verdict lastVerdict, String servingVersion,
        List<String> versions, long promotions, long grantedSteps, long deferredSteps, double trainingShare,
        String lastRefusal, String lastError) {}
