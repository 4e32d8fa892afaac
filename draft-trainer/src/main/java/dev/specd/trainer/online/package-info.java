/**
 * Online distillation: the draft keeps learning from the traffic it serves (Online Speculative
 * Decoding, Liu et al. 2023; DistillSpec, Zhou et al. 2023).
 *
 * <pre>
 * query log ─▶ {@link dev.specd.trainer.online.QueryLogSource} ─▶ {@link dev.specd.trainer.online.ReplayWindow}
 *     (recent records, bounded by count and age, domains balanced, ~10% held out by request id)
 *   ─▶ {@link dev.specd.trainer.online.CapacityGovernor} (a step only when serving's
 *      {@link dev.specd.trainer.online.LoadSignal} leaves room)
 *   ─▶ {@link dev.specd.trainer.online.DraftTrainer} (AdamW on {@link dev.specd.trainer.online.DistillationLoss}:
 *      forward/reverse KL, JSD(β), TVD between the target's logged top-k + tail and the draft's
 *      projection onto the same k+1 buckets)
 *   ─▶ every N steps {@link dev.specd.trainer.online.Evaluator}: expected acceptance Σ min(p, q) and
 *      greedy match of candidate and serving draft on the held-out slice
 *   ─▶ {@link dev.specd.trainer.online.PromotionPolicy} ─▶ {@link dev.specd.trainer.online.DraftRegistry}
 *      ({@code <dataDir>/drafts/vNNNN}, checksummed, written atomically) ─▶
 *      {@link dev.specd.trainer.online.DraftListener#onPromoted} (serving hot-swaps)
 * </pre>
 *
 * {@link dev.specd.trainer.online.OnlineTrainer} runs the loop on one thread inside the server;
 * {@link dev.specd.trainer.online.OnlineTrainerMain#run} runs it as a process of its own.
 */
package dev.specd.trainer.online;
