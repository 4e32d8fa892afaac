package dev.specd.serving.scheduler;

import dev.specd.metrics.ServingMetrics;
import dev.specd.verifier.Sequence;
import dev.specd.verifier.SpeculativeDecoder;
import dev.specd.verifier.SpeculativeDecoder.StepOutput;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continuous batching on one dedicated inference thread. Event-loop threads {@link #submit} into a
 * bounded queue; between two iterations of {@link SpeculativeDecoder#step} the inference thread
 * ends cancelled and expired generations, admits queued ones up to the batch size, and reports each
 * generation's new tokens to its listener, which hands them to the generation's event loop. Model
 * code runs on this thread only.
 *
 * <p>A paused generation (its client cannot keep up) keeps its slot but sits out iterations until
 * resumed; the per-request timeout still applies to it, so a stalled client cannot hold a slot for
 * ever. Every cross-thread signal is a volatile flag or a lock-free queue, followed by an unpark
 * of the inference thread, which otherwise parks while it has nothing to step.
 *
 * <p>As an {@link Executor}, it runs tasks on the inference thread between two iterations: the one
 * moment the decoder's state (such as its drafter) may change under the batch.
 */
public final class Scheduler implements Executor, AutoCloseable {

    /** How long the idle inference thread parks before looking at deadlines again. */
    private static final long IDLE_PARK_NANOS = Duration.ofMillis(50).toNanos();
    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);

    /** What {@link #submit} did with a request's generations. */
    public enum Admission { QUEUED, QUEUE_FULL, SHUTTING_DOWN }

    private final SpeculativeDecoder decoder;
    private final int maxBatch;
    private final int queueCapacity;
    private final ServingMetrics metrics;
    private final List<GenerationObserver> observers;
    private final Supplier<String> draftVersion;
    private final ServingLoad load;
    private final Queue<Generation> queue = new ConcurrentLinkedQueue<>();
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicInteger runningCount = new AtomicInteger();
    private final Thread thread;
    private volatile boolean accepting = true;
    private volatile long shutdownDeadlineNanos;

    // Inference thread only.
    private final List<Generation> running = new ArrayList<>();

    /**
     * @param maxBatch the most generations in a running batch: the target cache's slot count
     * @param queueCapacity the most generations waiting for a slot
     * @param observers what learns from the served traffic (n-gram cache, query log)
     * @param draftVersion the draft version serving (null without a draft model), read on the
     *     inference thread when an unpinned generation ends, so that a swap between iterations is seen
     *     at once
     * @param computeLock held for each iteration and task: see {@code Engine.computeLock()}
     */
    public Scheduler(SpeculativeDecoder decoder, int maxBatch, int queueCapacity, ServingMetrics metrics,
            List<GenerationObserver> observers, Supplier<String> draftVersion, Lock computeLock) {
        this.decoder = decoder;
        this.maxBatch = maxBatch;
        this.queueCapacity = queueCapacity;
        this.metrics = metrics;
        this.observers = List.copyOf(observers);
        this.draftVersion = draftVersion;
        this.load = new ServingLoad(() -> waiting.get() + runningCount.get(), computeLock);
        this.thread = Thread.ofPlatform().name("specd-inference").unstarted(this::run);
        thread.start();
    }

    /**
     * Queues all of a request's generations, or none: the queue holds at most {@code queueCapacity}.
     * Synchronized with {@link #shutdown} so that nothing is queued once it began. Refused
     * generations release their pinned drafts at once; queued ones when they end.
     */
    public synchronized Admission submit(List<Generation> generations) {
        if (!accepting) {
            releasePinnedDrafts(generations);
            return Admission.SHUTTING_DOWN;
        }
        if (waiting.addAndGet(generations.size()) > queueCapacity) {
            waiting.addAndGet(-generations.size());
            releasePinnedDrafts(generations);
            return Admission.QUEUE_FULL;
        }
        queue.addAll(generations);
        LockSupport.unpark(thread);
        return Admission.QUEUED;
    }

    private static void releasePinnedDrafts(List<Generation> generations) {
        for (Generation generation : generations) {
            if (generation.pinnedDraft() != null) {
                generation.pinnedDraft().release();
            }
        }
    }

    /**
     * Runs {@code task} on the inference thread before its next iteration. A task that throws is
     * logged and serving goes on; tasks still queued when the thread ends are dropped.
     */
    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        LockSupport.unpark(thread);
    }

    /** Waiting requests, the inference thread's busy share and recent p99 latency, for the online trainer. */
    public ServingLoad load() {
        return load;
    }

    /** The client went away: the generation ends at the next iteration and frees its slot. */
    public void cancel(Generation generation) {
        generation.cancelled = true;
        LockSupport.unpark(thread);
    }

    /** The client cannot keep up: the generation sits out iterations, keeping its slot. */
    public void pause(Generation generation) {
        generation.paused = true;
    }

    public void resume(Generation generation) {
        generation.paused = false;
        LockSupport.unpark(thread);
    }

    /** Generations holding a slot. */
    public int running() {
        return runningCount.get();
    }

    /** Generations queued for a slot. */
    public int waiting() {
        return waiting.get();
    }

    public boolean alive() {
        return thread.isAlive();
    }

    /**
     * Stops admitting, lets queued and running generations go on for {@code grace}, cuts short what
     * is left then, and returns once the inference thread has reported every ending and exited.
     */
    public void shutdown(Duration grace) {
        synchronized (this) {
            if (accepting) {
                shutdownDeadlineNanos = System.nanoTime() + grace.toNanos();
                accepting = false;
            }
        }
        LockSupport.unpark(thread);
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        shutdown(Duration.ZERO);
    }

    /** Runs the loop; if it fails (a bug), refuses new work and ends every generation, so that none hangs. */
    private void run() {
        try {
            loop();
        } catch (RuntimeException | Error e) {
            LOG.error("the inference thread failed; ending every generation", e);
            synchronized (this) {
                accepting = false;
            }
            for (Generation generation : running) {
                end(generation, Ending.FAILED, 0);
            }
            running.clear();
            runningCount.set(0);
            for (Generation generation = queue.poll(); generation != null; generation = queue.poll()) {
                waiting.decrementAndGet();
                end(generation, Ending.FAILED, 0);
            }
            throw e;
        }
    }

    private void loop() {
        while (true) {
            runTasks();
            long now = System.nanoTime();
            boolean pastShutdown = !accepting && now - shutdownDeadlineNanos >= 0;
            endAbandonedQueued(now, pastShutdown);
            endAbandonedRunning(now, pastShutdown);
            admit();
            if (!accepting && running.isEmpty() && queue.isEmpty()) {
                return;
            }
            List<Generation> batch = running.stream().filter(generation -> !generation.paused).toList();
            if (batch.isEmpty()) {
                LockSupport.parkNanos(IDLE_PARK_NANOS);
            } else {
                step(batch);
            }
        }
    }

    /** Tasks swap and close models: native tensor work, so under the compute lock like a step. */
    private void runTasks() {
        for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
            load.computeLock().lock();
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("a task on the inference thread failed", e);
            } finally {
                load.computeLock().unlock();
            }
        }
    }

    private void endAbandonedQueued(long now, boolean pastShutdown) {
        for (Generation generation : queue) {
            Optional<Ending> ending = abandoned(generation, now, pastShutdown);
            if (ending.isPresent() && queue.remove(generation)) {
                waiting.decrementAndGet();
                end(generation, ending.get(), 0);
            }
        }
    }

    private void endAbandonedRunning(long now, boolean pastShutdown) {
        for (Iterator<Generation> it = running.iterator(); it.hasNext(); ) {
            Generation generation = it.next();
            Optional<Ending> ending = abandoned(generation, now, pastShutdown);
            if (ending.isPresent()) {
                it.remove();
                end(generation, ending.get(), 0);
            }
        }
    }

    private static Optional<Ending> abandoned(Generation generation, long now, boolean pastShutdown) {
        if (generation.cancelled) {
            return Optional.of(Ending.CANCELLED);
        }
        if (generation.expired(now)) {
            return Optional.of(Ending.TIMEOUT);
        }
        return pastShutdown ? Optional.of(Ending.SHUTDOWN) : Optional.empty();
    }

    private void admit() {
        while (running.size() < maxBatch) {
            Generation generation = queue.poll();
            if (generation == null) {
                break;
            }
            waiting.decrementAndGet();
            Optional<Sequence> sequence;
            try {
                PinnedDraft pinned = generation.pinnedDraft();
                sequence = decoder.start(generation.request(), pinned == null ? null : pinned.drafter());
            } catch (IllegalArgumentException e) {
                // The HTTP layer checks the context length first; reaching this is a bug, not bad input.
                LOG.error("cannot start a generation", e);
                end(generation, Ending.FAILED, 0);
                continue;
            }
            if (sequence.isEmpty()) {
                throw new IllegalStateException("no free cache slot with " + running.size() + " of " + maxBatch + " running");
            }
            generation.sequence = sequence.get();
            running.add(generation);
            // Read now, not at the top of the iteration: a generation submitted since then would get a negative time.
            metrics.queueTime(System.nanoTime() - generation.arrivalNanos());
            metrics.promptTokens(generation.request().prompt().length);
        }
        runningCount.set(running.size());
    }

    private void step(List<Generation> batch) {
        Map<Long, Generation> bySequence = new HashMap<>();
        for (Generation generation : batch) {
            bySequence.put(generation.sequence.id(), generation);
        }
        List<StepOutput> outputs;
        long start = System.nanoTime();
        load.computeLock().lock();
        try {
            outputs = decoder.step(batch.stream().map(generation -> generation.sequence).toList());
        } catch (RuntimeException e) {
            LOG.error("a forward pass failed; ending the {} generations in its batch", batch.size(), e);
            for (Generation generation : batch) {
                running.remove(generation);
                end(generation, Ending.FAILED, 0);
            }
            runningCount.set(running.size());
            return;
        } finally {
            load.computeLock().unlock();
        }
        long now = System.nanoTime();
        load.busy(start, now);
        metrics.iteration(now - start);
        for (StepOutput output : outputs) {
            Generation generation = bySequence.get(output.sequence().id());
            emitted(generation, output, now);
        }
        runningCount.set(running.size());
    }

    private void emitted(Generation generation, StepOutput output, long now) {
        Sequence sequence = generation.sequence;
        int tokens = output.tokens().length;
        if (output.step() != null) {
            metrics.speculationStep(output.step().drafted(), output.step().accepted());
        }
        metrics.generationTokens(tokens);
        if (tokens > 0) { // a stop can keep none of a step's tokens
            if (generation.lastEmissionNanos == 0) {
                metrics.timeToFirstToken(now - generation.arrivalNanos());
            } else {
                metrics.interTokenLatency(now - generation.lastEmissionNanos, tokens);
            }
            generation.lastEmissionNanos = now;
        }
        observe(observer -> observer.stepped(generation, output));
        if (sequence.finished()) {
            running.remove(generation);
            end(generation, Ending.of(sequence.finish()), tokens);
        } else if (generation.streaming()) {
            String text = sequence.streamableText();
            String delta = text.substring(generation.streamedChars);
            generation.streamedChars = text.length();
            report(generation, new Update(delta, tokens, null));
        }
    }

    /**
     * Frees the slot (if any) and the pinned draft (if any), and reports the ending with the text not
     * streamed yet and the draft version that drafted last: the pinned one, else the one serving now.
     */
    private void end(Generation generation, Ending ending, int tokens) {
        Sequence sequence = generation.sequence;
        PinnedDraft pinned = generation.pinnedDraft();
        String version = pinned == null ? draftVersion.get() : pinned.version();
        Update.Result result;
        String delta = "";
        if (sequence == null) {
            result = new Update.Result(ending, "", generation.request().prompt().length, 0, SpeculationTotals.NONE,
                    version);
        } else {
            decoder.release(sequence);
            String text = sequence.text();
            if (generation.streaming() && text.length() > generation.streamedChars) {
                delta = text.substring(generation.streamedChars);
            }
            result = new Update.Result(ending, text, sequence.promptLength(), sequence.generated().length,
                    SpeculationTotals.of(sequence.stats()), version);
        }
        if (pinned != null) {
            pinned.release();
        }
        metrics.finished(ending.metricReason());
        long now = System.nanoTime();
        metrics.endToEndLatency(now - generation.arrivalNanos());
        load.latency(now, now - generation.arrivalNanos());
        observe(observer -> observer.ended(generation, sequence, result));
        report(generation, new Update(delta, tokens, result));
    }

    /** Observers only learn from traffic: one that fails is logged, and serving goes on. */
    private void observe(Consumer<GenerationObserver> event) {
        for (GenerationObserver observer : observers) {
            try {
                event.accept(observer);
            } catch (RuntimeException e) {
                LOG.warn("a generation observer failed", e);
            }
        }
    }

    private static void report(Generation generation, Update update) {
        try {
            generation.listener().update(update);
        } catch (RuntimeException e) {
            LOG.warn("a generation's listener failed", e);
        }
    }
}
