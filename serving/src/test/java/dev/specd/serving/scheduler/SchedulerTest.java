package dev.specd.serving.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specd.cli.ServeCommand;
import dev.specd.metrics.ServingMetrics;
import dev.specd.model.SamplingParams;
import dev.specd.serving.Engine;
import dev.specd.serving.TinyModels;
import dev.specd.verifier.GenerationRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scheduler without HTTP: pausing (backpressure), cancelling and admission. */
class SchedulerTest {

    private static final Duration LONG_TIMEOUT = Duration.ofMinutes(1);

    @TempDir
    static Path dir;
    static Engine engine;

    @BeforeAll
    static void load() throws Exception {
        Path models = TinyModels.write(dir.resolve("tiny"), 128);
        engine = Engine.load(ServeCommand.parse("--models", models.toString(), "--max-batch", "2", "--data-dir",
                dir.resolve("data").toString()));
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    /** Collects a generation's updates as the inference thread reports them. */
    static final class Recorder implements Generation.Listener {
        final Queue<Update> updates = new ConcurrentLinkedQueue<>();

        @Override
        public void update(Update update) {
            updates.add(update);
        }

        int tokens() {
            return updates.stream().mapToInt(Update::tokens).sum();
        }

        Update.Result result() {
            return updates.stream().filter(Update::finished).findFirst().map(Update::result).orElse(null);
        }
    }

    static Generation generation(int maxTokens, Recorder recorder) {
        GenerationRequest request = new GenerationRequest(engine.encodePrompt("pause me"), SamplingParams.GREEDY, 0,
                maxTokens, List.of(), 4);
        return new Generation(request, null, true, System.nanoTime(), LONG_TIMEOUT, null, recorder);
    }

    @Test
    void aPausedGenerationKeepsItsSlotButSitsOutUntilResumedAndThenFinishesUnchanged() throws Exception {
        Recorder reference = new Recorder();
        Recorder paused = new Recorder();
        try (Scheduler scheduler = new Scheduler(engine.decoder(), 2, 4, new ServingMetrics(), List.of(), engine::draftVersionLabel, engine.computeLock())) {
            scheduler.submit(List.of(generation(100, reference)));
            await(() -> reference.result() != null);

            Generation generation = generation(100, paused);
            scheduler.submit(List.of(generation));
            await(() -> paused.tokens() > 0);
            scheduler.pause(generation);
            Thread.sleep(50); // an iteration already under way may still report
            int tokensWhenPaused = paused.tokens();
            Thread.sleep(300);
            assertEquals(tokensWhenPaused, paused.tokens(), "no tokens while paused");
            assertEquals(1, scheduler.running(), "the paused generation keeps its slot");
            scheduler.resume(generation);
            await(() -> paused.result() != null);
        }
        assertEquals(reference.result().text(), paused.result().text());
        assertEquals(100, paused.tokens());
        StringBuilder streamed = new StringBuilder();
        paused.updates.forEach(update -> streamed.append(update.text()));
        assertEquals(paused.result().text(), streamed.toString(), "the streamed pieces add up to the text");
    }

    @Test
    void admissionIsAllOrNothingUpToTheQueueCapacityAndCancelledGenerationsLeaveTheQueue() throws Exception {
        try (Scheduler scheduler = new Scheduler(engine.decoder(), 2, 3, new ServingMetrics(), List.of(), engine::draftVersionLabel, engine.computeLock())) {
            Recorder[] running = {new Recorder(), new Recorder()};
            Generation first = generation(120, running[0]);
            Generation second = generation(120, running[1]);
            scheduler.submit(List.of(first, second));
            await(() -> running[0].tokens() > 0 && running[1].tokens() > 0);
            scheduler.pause(first); // paused, they hold both slots for as long as the test needs
            scheduler.pause(second);
            Recorder queued = new Recorder();
            List<Generation> three = List.of(generation(5, queued), generation(5, new Recorder()), generation(5, new Recorder()));
            List<Generation> four = List.of(generation(5, new Recorder()), generation(5, new Recorder()),
                    generation(5, new Recorder()), generation(5, new Recorder()));
            assertEquals(Scheduler.Admission.QUEUE_FULL, scheduler.submit(four));
            assertEquals(Scheduler.Admission.QUEUED, scheduler.submit(three));
            assertEquals(Scheduler.Admission.QUEUE_FULL, scheduler.submit(List.of(generation(5, new Recorder()))));
            scheduler.cancel(three.getFirst());
            await(() -> queued.result() != null);
            assertEquals(2, scheduler.waiting());
            assertEquals(Ending.CANCELLED, queued.result().ending());
            assertEquals(0, queued.result().completionTokens());
            scheduler.cancel(first);
            scheduler.cancel(second);
            await(() -> scheduler.running() == 0 && scheduler.waiting() == 0);
            scheduler.shutdown(Duration.ZERO);
            assertEquals(Scheduler.Admission.SHUTTING_DOWN, scheduler.submit(List.of(generation(5, new Recorder()))));
        }
    }

    @Test
    void tasksRunOnTheInferenceThreadAndTheLoadSignalSeesStepsAndLatencies() throws Exception {
        try (Scheduler scheduler = new Scheduler(engine.decoder(), 2, 4, new ServingMetrics(), List.of(),
                engine::draftVersionLabel, engine.computeLock())) {
            assertEquals(Duration.ZERO, scheduler.load().recentP99Latency());
            CompletableFuture<String> thread = new CompletableFuture<>();
            scheduler.execute(() -> thread.complete(Thread.currentThread().getName()));
            assertEquals("specd-inference", thread.get(30, TimeUnit.SECONDS));
            scheduler.execute(() -> {
                throw new IllegalStateException("a failing task is logged; serving goes on");
            });

            Recorder recorder = new Recorder();
            long start = System.nanoTime();
            scheduler.submit(List.of(generation(60, recorder)));
            await(() -> recorder.result() != null);
            long elapsed = System.nanoTime() - start;
            assertEquals(60, recorder.result().completionTokens());
            assertEquals("v0000", recorder.result().draftVersion());
            assertEquals(0, scheduler.load().activeRequests(), "nothing queued or decoding once it ended");
            double busy = scheduler.load().inferenceBusyFraction();
            assertTrue(busy > 0 && busy <= 1, "busy " + busy);
            Duration p99 = scheduler.load().recentP99Latency();
            assertTrue(p99.toNanos() > 0 && p99.toNanos() <= elapsed, p99 + " within " + elapsed + " ns");
        }
    }

    @Test
    void noIterationRunsWhileTheTrainerHoldsTheComputeLock() throws Exception {
        try (Scheduler scheduler = new Scheduler(engine.decoder(), 2, 4, new ServingMetrics(), List.of(),
                engine::draftVersionLabel, engine.computeLock())) {
            Recorder recorder = new Recorder();
            scheduler.load().computeLock().lock(); // as the online trainer does for each step
            try {
                scheduler.submit(List.of(generation(20, recorder)));
                Thread.sleep(300);
                assertEquals(0, recorder.tokens(), "no forward while training holds the lock");
            } finally {
                scheduler.load().computeLock().unlock();
            }
            await(() -> recorder.result() != null);
            assertEquals(20, recorder.tokens());
        }
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out");
            Thread.sleep(5);
        }
    }
}
