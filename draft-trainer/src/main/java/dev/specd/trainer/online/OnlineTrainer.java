package dev.specd.trainer.online;

import dev.specd.model.llama.Transformer;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.Lock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The online distillation loop (Online Speculative Decoding, Liu et al. 2023), on one dedicated
 * training thread:
 *
 * <pre>
 * read new query-log records ─▶ replay window ─▶ [governor grants spare capacity] ─▶ AdamW step
 *   every N steps: candidate vs serving draft on the held-out slice
 *     better by the margin ─▶ registry vNNNN (verified on reload) ─▶ current ─▶ listener.onPromoted
 * </pre>
 *
 * <p>The serving draft is never touched here: the trainer holds its own copy, and serving swaps a
 * promoted version in when the listener tells it to. A candidate that evaluates worse stays a
 * candidate and keeps training. Stopping finishes the step in progress (or abandons it when the
 * grace period runs out); the registry is consistent either way, since versions appear atomically.
 */
public final class OnlineTrainer implements AutoCloseable {

    public enum State {
        STARTING,
        WAITING_FOR_DATA,
        WAITING_FOR_CAPACITY,
        TRAINING,
        EVALUATING,
        PAUSED,
        STOPPED,
        FAILED
    }

    private static final Logger LOG = LoggerFactory.getLogger(OnlineTrainer.class);
    private static final double LOSS_EWMA_WEIGHT = 0.05;

    private final DraftRegistry registry;
    private final RecordSource source;
    private final OnlineConfig config;
    private final DraftListener listener;
    private final CapacityGovernor governor;
    private final Clock clock;
    private final Object monitor = new Object();
    private boolean stopRequested; // guarded by monitor
    private boolean paused; // guarded by monitor
    private Thread thread;

    // Written by the training thread, read by status().
    private volatile State state = State.STARTING;
    private volatile long steps;
    private volatile double lossEwma = Double.NaN;
    private volatile long recordsConsumed;
    private volatile int trainingRecords;
    private volatile int heldOutRecords;
    private volatile PromotionPolicy.Verdict lastVerdict;
    private volatile String servingVersion;
    private volatile long promotions;
    private volatile String lastError;
    /** Held around all native tensor work of this thread: see {@link LoadSignal#computeLock()}. */
    private final Lock computeLock;

    public OnlineTrainer(DraftRegistry registry, RecordSource source, LoadSignal load, OnlineConfig config,
            DraftListener listener) {
        this(registry, source, load, config, listener, Clock.systemUTC());
    }

    OnlineTrainer(DraftRegistry registry, RecordSource source, LoadSignal load, OnlineConfig config,
            DraftListener listener, Clock clock) {
        this.registry = registry;
        this.source = source;
        this.config = config;
        this.listener = listener;
        this.governor = new CapacityGovernor(load, config.governor());
        this.computeLock = load.computeLock();
        this.clock = clock;
    }

    /** Starts the training thread; the registry must have a current version (see {@link DraftRegistry#registerBase}). */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("the online trainer was started already");
        }
        thread = new Thread(this::run, "specd-draft-trainer");
        thread.start();
    }

    /** Holds training before its next step (the step in progress finishes). */
    public void pause() {
        synchronized (monitor) {
            paused = true;
            monitor.notifyAll();
        }
    }

    public void resume() {
        synchronized (monitor) {
            paused = false;
            monitor.notifyAll();
        }
    }

    /**
     * Makes the current version's parent current and tells the listener; the trainer compares its
     * candidate against that draft from its next evaluation on.
     */
    public DraftVersion rollback() throws IOException {
        DraftVersion previous = registry.rollback();
        notifyListener(previous);
        return previous;
    }

    public OnlineStatus status() {
        CapacityGovernor.Stats stats = governor.stats();
        List<String> versions;
        try {
            versions = registry.list();
        } catch (IOException e) {
            versions = List.of();
        }
        return new OnlineStatus(state, steps, lossEwma, recordsConsumed, trainingRecords, heldOutRecords, lastVerdict,
                servingVersion, versions, promotions, stats.granted(), stats.deferredSteps(), stats.trainingShare(),
                stats.lastRefusal(), lastError);
    }

    /**
     * Asks the training thread to stop after its current step and waits up to {@code grace}; past
     * that, interrupts it, abandoning the step, and waits for it to end.
     *
     * @return whether it stopped within the grace period
     */
    public boolean stop(Duration grace) throws InterruptedException {
        synchronized (monitor) {
            stopRequested = true;
            monitor.notifyAll();
        }
        Thread running;
        synchronized (this) {
            running = thread;
        }
        if (running == null) {
            state = State.STOPPED;
            return true;
        }
        running.join(Math.max(1, grace.toMillis()));
        if (!running.isAlive()) {
            return true;
        }
        running.interrupt();
        running.join();
        return false;
    }

    /** Stops, giving the current step up to 30 seconds; an interrupt while waiting is passed on to the caller's thread. */
    @Override
    public void close() {
        try {
            stop(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What the training thread holds: all of it is used on that thread only. */
    private final class Session implements AutoCloseable {
        final DraftTrainer trainer;
        final ReplayWindow window;
        final Evaluator evaluator;
        DraftVersion serving;
        Transformer servingModel; // loaded from the registry, for evaluation only
        boolean evaluationDue;

        Session() throws IOException {
            serving = registry.current().orElseThrow(() -> new IllegalStateException(
                    "the draft registry in " + registry.root() + " has no current version: register the base draft first"));
            servingModel = registry.load(serving.name(), config.device());
            try {
                trainer = DraftTrainer.fromCheckpoint(serving.directory(), config.device(), config.trainer());
            } catch (IOException | RuntimeException e) {
                servingModel.close();
                throw e;
            }
            window = new ReplayWindow(source, config.replay(), trainer.config().vocabSize(), clock);
            evaluator = new Evaluator(trainer.maxLength(), config.promotion().batchSize());
            servingVersion = serving.name();
        }

        void replaceServing(DraftVersion version, Transformer model) {
            servingModel.close();
            serving = version;
            servingModel = model;
            servingVersion = version.name();
        }

        @Override
        public void close() {
            trainer.close();
            servingModel.close();
        }
    }

    private void run() {
        try (Session session = openSession()) {
            long nextPoll = System.nanoTime();
            while (awaitRunnable()) {
                if (System.nanoTime() - nextPoll >= 0) {
                    session.window.poll();
                    nextPoll = System.nanoTime() + config.pollInterval().toNanos();
                }
                publishWindow(session.window);
                if (session.window.trainingSize() < config.minTrainingRecords()) {
                    state = State.WAITING_FOR_DATA;
                    pauseFor(config.pollInterval());
                    continue;
                }
                long start = System.nanoTime();
                if (!stepIfGranted(session)) {
                    state = State.WAITING_FOR_CAPACITY;
                    pauseFor(config.governor().recheckInterval());
                    continue;
                }
                governor.recordTraining(System.nanoTime() - start);
            }
            state = State.STOPPED;
        } catch (InterruptedException e) {
            state = State.STOPPED;
        } catch (Exception | Error e) {
            if (stopping()) {
                LOG.info("online trainer stopped while {}: {}", state, e.toString());
                state = State.STOPPED;
            } else {
                LOG.error("online trainer failed", e);
                lastError = e.toString();
                state = State.FAILED;
            }
        }
    }

    /**
     * One training step, or the evaluation due, if the governor grants it. Asked under the lock: a
     * grant checked before taking it could let a step in between two iterations of a request that
     * arrived meanwhile, stalling its tokens for a whole step.
     */
    private boolean stepIfGranted(Session session) throws IOException {
        computeLock.lock();
        try {
            if (!governor.tryGrant()) {
                return false;
            }
            if (session.evaluationDue) {
                state = State.EVALUATING;
                evaluate(session);
                session.evaluationDue = false;
                return true;
            }
            state = State.TRAINING;
            StepResult result = session.trainer.step(session.window.sample(config.trainer().batchSize()));
            if (result.applied()) {
                steps = result.step();
                lossEwma = Double.isNaN(lossEwma)
                        ? result.loss()
                        : (1 - LOSS_EWMA_WEIGHT) * lossEwma + LOSS_EWMA_WEIGHT * result.loss();
                session.evaluationDue = result.step() % config.promotion().evaluateEverySteps() == 0;
            } else if (result.positions() > 0) {
                LOG.warn("step {} skipped: loss {}, gradient norm {}", result.step() + 1, result.loss(), result.gradNorm());
            }
            return true;
        } finally {
            computeLock.unlock();
        }
    }

    private Session openSession() throws IOException {
        computeLock.lock();
        try {
            return new Session();
        } finally {
            computeLock.unlock();
        }
    }

    private void evaluate(Session session) throws IOException {
        followRegistry(session);
        List<TrainingRecord> heldOut = session.window.heldOut();
        Evaluation before = session.evaluator.evaluate(session.servingModel, heldOut);
        Evaluation after = session.evaluator.evaluate(session.trainer.candidate(), heldOut);
        PromotionPolicy.Verdict verdict = config.promotion().judge(session.trainer.steps(), before, after);
        LOG.info("step {}: {} candidate: {}", verdict.step(), verdict.promote() ? "promoting" : "keeping", verdict.reason());
        if (verdict.promote()) {
            promote(session, verdict);
        }
        lastVerdict = verdict; // published once its promotion, if any, is done
    }

    /**
     * Registers the candidate, reloads it from disk (which verifies what was written), and only
     * then makes it current. A failure anywhere leaves the previous version current.
     */
    private void promote(Session session, PromotionPolicy.Verdict verdict) throws IOException {
        DraftVersion added = registry.add(session.trainer.config(), session.trainer.weights(),
                session.serving.directory(), new DraftManifest.Lineage(session.serving.name(), session.trainer.steps(),
                        session.window.consumed(), verdict.serving(), verdict.candidate()));
        Transformer reloaded = registry.load(added.name(), config.device());
        try {
            registry.promote(added.name());
        } catch (IOException | RuntimeException e) {
            reloaded.close();
            throw e;
        }
        session.replaceServing(added, reloaded);
        promotions++;
        notifyListener(added);
    }

    /** Compares against whatever the registry says is current, should an operator have rolled back. */
    private void followRegistry(Session session) throws IOException {
        try {
            DraftVersion current = registry.current().orElseThrow();
            if (!current.name().equals(session.serving.name())) {
                session.replaceServing(current, registry.load(current.name(), config.device()));
            }
        } catch (CorruptDraftException e) {
            LOG.warn("still comparing against {}: {}", session.serving.name(), e.getMessage());
        }
    }

    private void notifyListener(DraftVersion version) {
        try {
            listener.onPromoted(version.name(), version.directory());
        } catch (RuntimeException e) {
            LOG.error("draft listener failed on {}", version.name(), e);
        }
    }

    private void publishWindow(ReplayWindow window) {
        recordsConsumed = window.consumed();
        trainingRecords = window.trainingSize();
        heldOutRecords = window.heldOut().size();
    }

    /** Waits while paused; false once a stop is requested. */
    private boolean awaitRunnable() throws InterruptedException {
        synchronized (monitor) {
            while (paused && !stopRequested) {
                state = State.PAUSED;
                monitor.wait();
            }
            return !stopRequested;
        }
    }

    /** Sleeps, waking early for stop, resume or pause. */
    private void pauseFor(Duration duration) throws InterruptedException {
        synchronized (monitor) {
            if (!stopRequested) {
                monitor.wait(Math.max(1, duration.toMillis()));
            }
        }
    }

    private boolean stopping() {
        synchronized (monitor) {
            return stopRequested;
        }
    }
}
