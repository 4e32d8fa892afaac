package dev.specd.serving;

import dev.specd.metrics.MeterName;
import dev.specd.metrics.ServingMetrics;
import dev.specd.serving.api.ApiError;
import dev.specd.serving.api.Responses.DraftChange;
import dev.specd.serving.api.Responses.DraftEntry;
import dev.specd.serving.api.Responses.DraftList;
import dev.specd.serving.scheduler.Scheduler;
import dev.specd.trainer.online.CorruptDraftException;
import dev.specd.trainer.online.DraftRegistry;
import dev.specd.trainer.online.DraftVersion;
import dev.specd.trainer.online.Evaluation;
import dev.specd.trainer.online.OnlineConfig;
import dev.specd.trainer.online.OnlineStatus;
import dev.specd.trainer.online.OnlineTrainer;
import dev.specd.trainer.online.PromotionPolicy;
import dev.specd.trainer.online.QueryLogSource;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The online-distillation side of a server with a draft model: the {@link DraftFollower}, which
 * keeps serving on the registry's current draft, and with {@code --trainer in-process} the
 * {@link OnlineTrainer} on the query log, which yields to the scheduler's load and wakes the
 * follower when it promotes a draft. The admin API acts through this class. Its registry
 * operations block (they checksum files): call them off the event loop.
 */
final class OnlineDistillation implements AutoCloseable {

    /** How long a promotion or rollback through the admin API waits for serving to swap the draft. */
    private static final Duration SWAP_WAIT = Duration.ofSeconds(30);
    /** At shutdown, how long the trainer's step in progress may take; steps take milliseconds to seconds. */
    private static final Duration TRAINER_STOP_GRACE = Duration.ofSeconds(10);
    /** The admin API's path parameter naming a draft version, as its errors name it. */
    private static final String VERSION_PARAM = "version";
    private static final Logger LOG = LoggerFactory.getLogger(OnlineDistillation.class);

    private final DraftLoader loader;
    private final DraftSwap swap;
    private final DraftFollower follower;
    private final int contextLength;
    private final OnlineTrainer trainer; // null when this process does not train
    private final QueryLogSource source; // the trainer's, null with it

    private OnlineDistillation(DraftLoader loader, DraftSwap swap, DraftFollower follower, int contextLength,
            OnlineTrainer trainer, QueryLogSource source) {
        this.loader = loader;
        this.swap = swap;
        this.follower = follower;
        this.contextLength = contextLength;
        this.trainer = trainer;
        this.source = source;
    }

    /**
     * Starts following the registry and, when the configuration says so, training.
     *
     * @param engine an engine with a draft model
     * @param trainerConfig the online trainer's settings, used with {@code --trainer in-process}
     */
    static OnlineDistillation start(Engine engine, Scheduler scheduler, ServerConfig config, OnlineConfig trainerConfig,
            ServingMetrics metrics) {
        DraftLoader loader = engine.draftLoader().orElseThrow();
        DraftSwap swap = engine.draftSwap().orElseThrow();
        DraftFollower follower = new DraftFollower(loader, swap, scheduler, engine.contextLength(), metrics);
        follower.start();
        if (!config.trainsInProcess()) {
            LOG.info("the online trainer is off here; serving follows {}", loader.registry().root());
            return new OnlineDistillation(loader, swap, follower, engine.contextLength(), null, null);
        }
        QueryLogSource source = new QueryLogSource(config.dataDir());
        OnlineTrainer trainer = new OnlineTrainer(loader.registry(), source, scheduler.load(), trainerConfig,
                (version, directory) -> follower.refresh());
        trainer.start();
        registerMeters(trainer, metrics);
        return new OnlineDistillation(loader, swap, follower, engine.contextLength(), trainer, source);
    }

    private static void registerMeters(OnlineTrainer trainer, ServingMetrics metrics) {
        metrics.functionCounter(MeterName.TRAINER_STEPS, () -> trainer.status().steps());
        metrics.gauge(MeterName.TRAINER_LOSS, () -> trainer.status().lossEwma());
        metrics.functionCounter(MeterName.TRAINER_RECORDS_CONSUMED, () -> trainer.status().recordsConsumed());
        metrics.gauge(MeterName.TRAINER_TRAINING_SHARE, () -> trainer.status().trainingShare());
        metrics.functionCounter(MeterName.TRAINER_DEFERRED_STEPS, () -> trainer.status().deferredSteps());
        metrics.functionCounter(MeterName.TRAINER_PROMOTIONS, () -> trainer.status().promotions());
        metrics.gauge(MeterName.TRAINER_CANDIDATE_ACCEPTANCE,
                () -> lastEvaluation(trainer, PromotionPolicy.Verdict::candidate));
        metrics.gauge(MeterName.TRAINER_SERVING_ACCEPTANCE,
                () -> lastEvaluation(trainer, PromotionPolicy.Verdict::serving));
    }

    /** The expected acceptance of one side of the last evaluation; NaN before the first. */
    private static double lastEvaluation(OnlineTrainer trainer, Function<PromotionPolicy.Verdict, Evaluation> side) {
        PromotionPolicy.Verdict verdict = trainer.status().lastVerdict();
        return verdict == null ? Double.NaN : side.apply(verdict).expectedAcceptance();
    }

    OnlineStatus trainerStatus() {
        return requireTrainer().status();
    }

    OnlineStatus pauseTrainer() {
        requireTrainer().pause();
        return trainer.status();
    }

    OnlineStatus resumeTrainer() {
        requireTrainer().resume();
        return trainer.status();
    }

    DraftList drafts() throws IOException {
        DraftRegistry registry = loader.registry();
        String serving = swap.serving().version();
        String current = currentVersion();
        List<DraftEntry> entries = new ArrayList<>();
        for (String version : registry.list()) {
            boolean isServing = version.equals(serving);
            boolean isCurrent = version.equals(current);
            try {
                entries.add(new DraftEntry(version, isServing, isCurrent, registry.manifest(version), null));
            } catch (IOException e) {
                entries.add(new DraftEntry(version, isServing, isCurrent, null, e.getMessage()));
            }
        }
        return new DraftList(serving, current, entries);
    }

    /**
     * Makes {@code version} current once it verifies and fits the target, and waits for serving to
     * swap it in. The trainer, if any, compares its candidate against it from its next evaluation.
     */
    DraftChange promote(String version) throws IOException, InterruptedException {
        DraftRegistry registry = loader.registry();
        try {
            registry.directory(version);
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid(VERSION_PARAM, e.getMessage());
        }
        if (!registry.list().contains(version)) {
            throw ApiError.draftNotFound(VERSION_PARAM, version);
        }
        try {
            loader.check(version, contextLength);
            registry.promote(version);
        } catch (CorruptDraftException | IllegalArgumentException e) {
            throw refused(e);
        }
        return swapped();
    }

    /** Makes the current version's parent current again and waits for serving to swap it in. */
    DraftChange rollback() throws IOException, InterruptedException {
        DraftVersion parent;
        try {
            parent = loader.registry().rollback();
        } catch (IllegalStateException e) {
            throw ApiError.conflict("no_parent", e.getMessage());
        } catch (CorruptDraftException e) {
            throw refused(e);
        }
        LOG.info("draft {} made current again by an operator", parent.name());
        return swapped();
    }

    private ApiError refused(Exception problem) {
        return ApiError.draftRefused(VERSION_PARAM, problem.getMessage() + "; " + swap.serving().version()
                + " keeps serving and the registry's current version is unchanged");
    }

    private DraftChange swapped() throws InterruptedException {
        String serving;
        try {
            serving = follower.refresh().get(SWAP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            serving = swap.serving().version();
        } catch (ExecutionException e) {
            throw new IllegalStateException("a refresh completes normally", e);
        }
        return new DraftChange(currentVersion(), serving);
    }

    private String currentVersion() {
        try {
            return loader.registry().current().map(DraftVersion::name).orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private OnlineTrainer requireTrainer() {
        if (trainer == null) {
            throw ApiError.conflict("trainer_off", "The online trainer does not run in this server (--trainer off): "
                    + "drafts come from a 'specd train' process, or from nowhere.");
        }
        return trainer;
    }

    /** Stops training (the step in progress finishes), then following. */
    @Override
    public void close() {
        if (trainer != null) {
            try {
                trainer.stop(TRAINER_STOP_GRACE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            source.close();
        }
        follower.close();
    }
}
