package dev.specd.trainer.online;

import ai.djl.Device;
import java.time.Duration;

/**
 * Everything the online trainer is told.
 *
 * @param replay what traffic is kept and how it is split
 * @param trainer how the candidate is fine-tuned
 * @param governor when serving leaves room for training
 * @param promotion when the candidate is judged and what it must show
 * @param minTrainingRecords training starts once the window holds this many records
 * @param pollInterval how often the query log is read for new records
 * @param device where the candidate trains and drafts are evaluated
 */
public record OnlineConfig(ReplayConfig replay, TrainerConfig trainer, GovernorConfig governor,
        PromotionPolicy promotion, int minTrainingRecords, Duration pollInterval, Device device) {

    public OnlineConfig {
        if (minTrainingRecords < 1 || pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("minTrainingRecords and pollInterval must be positive");
        }
    }

    /** Each part's defaults; training starts at 64 records; the log is read every second; CPU. */
    public static OnlineConfig defaults() {
        return new OnlineConfig(ReplayConfig.defaults(), TrainerConfig.defaults(), GovernorConfig.defaults(),
                PromotionPolicy.defaults(), 64, Duration.ofSeconds(1), Device.cpu());
    }

    public OnlineConfig withReplay(ReplayConfig replay) {
        return new OnlineConfig(replay, trainer, governor, promotion, minTrainingRecords, pollInterval, device);
    }

    public OnlineConfig withTrainer(TrainerConfig trainer) {
        return new OnlineConfig(replay, trainer, governor, promotion, minTrainingRecords, pollInterval, device);
    }

    public OnlineConfig withGovernor(GovernorConfig governor) {
        return new OnlineConfig(replay, trainer, governor, promotion, minTrainingRecords, pollInterval, device);
    }

    public OnlineConfig withPromotion(PromotionPolicy promotion) {
        return new OnlineConfig(replay, trainer, governor, promotion, minTrainingRecords, pollInterval, device);
    }

    public OnlineConfig withMinTrainingRecords(int minTrainingRecords) {
        return new OnlineConfig(replay, trainer, governor, promotion, minTrainingRecords, pollInterval, device);
    }

    public OnlineConfig withPollInterval(Duration pollInterval) {
        return new OnlineConfig(replay, trainer, governor, promotion, minTrainingRecords, pollInterval, device);
    }

    public OnlineConfig withDevice(Device device) {
        return new OnlineConfig(replay, trainer, governor, promotion, minTrainingRecords, pollInterval, device);
    }
}
