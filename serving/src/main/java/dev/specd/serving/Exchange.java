package dev.specd.serving;

import dev.specd.serving.api.ApiError;
import dev.specd.serving.api.Json;
import dev.specd.serving.api.Responses.Speculative;
import dev.specd.serving.api.Responses.Usage;
import dev.specd.verifier.GenerationRequest;
import dev.specd.serving.scheduler.Generation;
import dev.specd.serving.scheduler.Provenance;
import dev.specd.serving.scheduler.Scheduler;
import dev.specd.serving.scheduler.SpeculationTotals;
import dev.specd.serving.scheduler.Update;
import io.vertx.core.Context;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One generation request between the scheduler and its HTTP response. Lives on the request's event
 * loop: the scheduler's updates arrive through {@link Context#runOnContext}, are streamed as
 * server-sent events or gathered into one response. While the connection's write queue is full
 * the request's generations are paused (they keep their slots; the inference thread never waits on a
 * client); if the client goes away they are cancelled and their slots freed. They are paused too while the
 * event loop lags more than {@link #MAX_UNDELIVERED_UPDATES} updates behind the inference thread:
 * otherwise a busy loop would let a fast generation run to its end before the loop ever saw the full
 * write queue, holding the whole stream in its task queue.
 *
 * <p>A stream's headers go out with its first token, so that a request that ends before producing
 * anything (timed out in the queue, server shutting down) still gets a proper error status.
 */
final class Exchange {

    private static final String EVENT_STREAM = "text/event-stream; charset=utf-8";
    private static final String DONE = "[DONE]";
    /**
     * Updates of one request, over its choices, that may wait for the event loop: the next one
     * pauses its generations. The pause takes effect at the scheduler's next iteration, so the rest
     * of the current step (up to one update per other choice) still joins the backlog.
     */
    static final int MAX_UNDELIVERED_UPDATES = 64;

    private final CompletionPlan plan;
    private final ResponseFormat format;
    private final ResponseFormat.Header header;
    private final HttpServerResponse response;
    private final Scheduler scheduler;
    private final Engine engine;
    private final Duration timeout;
    private final List<Generation> generations;
    private final Update.Result[] results;
    /** [choice] its first chunk was sent. */
    private final boolean[] chunked;
    /** [choice] text of its reply was shown (chat drops the reply's leading space). */
    private final boolean[] textShown;
    private int ended;
    /** The draft version pinned, else the one serving when the latest choice ended: what the response reports. */
    private String draftVersion;
    private boolean streaming;
    /** Paused because the connection's write queue is full. Like {@link #closed}, only the event loop touches it. */
    private boolean paused;
    private boolean closed;
    /** Updates handed to the event loop and not yet taken: counted up on the inference thread, down on the loop. */
    private final AtomicInteger undelivered = new AtomicInteger();
    /** Paused because the event loop lagged: set on the inference thread, cleared on the event loop. */
    private boolean lagging;
    /** Guards {@link #lagging}, the lag pauses and every resume (which must know both reasons to pause). */
    private final Object lagLock = new Object();

    Exchange(CompletionPlan plan, HttpServerResponse response, Context context, Scheduler scheduler, Engine engine,
            long arrivalNanos, Duration timeout) {
        this.plan = plan;
        this.format = ResponseFormat.of(plan.endpoint());
        long createdAtMillis = System.currentTimeMillis();
        this.header = new ResponseFormat.Header(plan.id(), createdAtMillis / 1000, plan.model());
        this.response = response;
        this.scheduler = scheduler;
        this.engine = engine;
        this.timeout = timeout;
        int choices = plan.choices().size();
        this.results = new Update.Result[choices];
        this.chunked = new boolean[choices];
        this.textShown = new boolean[choices];
        List<Generation> generations = new ArrayList<>(choices);
        for (int i = 0; i < choices; i++) {
            int choice = i;
            GenerationRequest request = plan.choices().get(i);
            Provenance provenance = plan.store()
                    ? new Provenance(plan.id(), plan.endpoint().logName(), createdAtMillis,
                            plan.seeded() ? request.seed() : null, plan.user(), plan.metadata())
                    : null;
            generations.add(new Generation(request, plan.pinnedDraft(), plan.stream(), arrivalNanos, timeout,
                    provenance, update -> deliver(context, choice, update)));
        }
        this.generations = List.copyOf(generations);
        response.closeHandler(ignored -> clientLeft());
        response.exceptionHandler(ignored -> clientLeft());
    }

    List<Generation> generations() {
        return generations;
    }

    /**
     * Called on the inference thread, which counts the update and pauses the request if the loop
     * lags; the update itself, and the resume once the loop has taken every update, run on the
     * event loop. Both decisions are taken under {@link #lagLock}, and the resume re-reads the
     * backlog there: a resume that read "caught up" just before a burst of updates cannot then undo
     * the pause that burst triggers. The inference thread may wait on the lock, for as long as the
     * loop takes to flip two flags.
     */
    private void deliver(Context context, int choice, Update update) {
        if (undelivered.incrementAndGet() > MAX_UNDELIVERED_UPDATES) {
            synchronized (lagLock) {
                lagging = true;
                generations.forEach(scheduler::pause);
            }
        }
        context.runOnContext(ignored -> {
            try {
                update(choice, update);
            } finally {
                if (undelivered.decrementAndGet() == 0) {
                    caughtUp();
                }
            }
        });
    }

    private void caughtUp() {
        synchronized (lagLock) {
            if (lagging && undelivered.get() == 0) {
                lagging = false;
                if (!paused && !closed) {
                    generations.forEach(scheduler::resume);
                }
            }
        }
    }

    private void update(int choice, Update update) {
        if (closed) {
            return;
        }
        if (update.finished()) {
            results[choice] = update.result();
            draftVersion = update.result().draftVersion();
            ended++;
        }
        if (plan.stream()) {
            stream(choice, update);
        }
        if (ended == results.length) {
            finish();
        }
    }

    private void stream(int choice, Update update) {
        if (!streaming) {
            Update.Result result = update.result();
            if (result != null && result.completionTokens() == 0 && result.ending().cutShort()) {
                return; // if no choice produces anything, finish() answers with an error status
            }
            startStream(choice);
        }
        if (update.text().isEmpty() && !update.finished()) {
            return;
        }
        String text = format.shown(update.text(), !textShown[choice]);
        textShown[choice] |= !update.text().isEmpty();
        String finishReason = update.finished() ? update.result().ending().finishReason() : null;
        boolean last = update.finished() && ended == results.length;
        send(format.chunk(header, choice, text, !chunked[choice], finishReason,
                last && !plan.includeUsage() ? speculative() : null));
        chunked[choice] = true;
        if (response.writeQueueFull() && !paused) {
            paused = true;
            generations.forEach(scheduler::pause);
            response.drainHandler(ignored -> {
                synchronized (lagLock) {
                    paused = false;
                    if (!lagging) {
                        generations.forEach(scheduler::resume);
                    }
                }
            });
        }
    }

    /** Sends the headers, and the endings of choices that were cut short before the stream began. */
    private void startStream(int choice) {
        streaming = true;
        response.setStatusCode(200).setChunked(true)
                .putHeader(HttpHeaders.CONTENT_TYPE, EVENT_STREAM)
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
        for (int other = 0; other < results.length; other++) {
            if (other != choice && results[other] != null) {
                send(format.chunk(header, other, "", true, results[other].ending().finishReason(), null));
                chunked[other] = true;
            }
        }
    }

    private void finish() {
        closed = true;
        if (!streaming) {
            ApiError failure = failure();
            if (failure != null) {
                JsonResponses.error(response, failure);
                return;
            }
        }
        if (!plan.stream()) {
            List<ResponseFormat.Choice> choices = new ArrayList<>(results.length);
            for (Update.Result result : results) {
                choices.add(new ResponseFormat.Choice(format.shown(result.text(), true), result.ending().finishReason()));
            }
            JsonResponses.ok(response, format.response(header, choices, usage(), speculative()));
            return;
        }
        if (plan.includeUsage()) {
            send(format.usageChunk(header, usage(), speculative()));
        }
        response.end("data: " + DONE + "\n\n");
    }

    /** The error to answer with when no choice generated anything because the server cut them short. */
    private ApiError failure() {
        ApiError failure = null;
        for (Update.Result result : results) {
            if (result == null) {
                continue;
            }
            if (result.completionTokens() > 0) {
                return null;
            }
            failure = switch (result.ending()) {
                case TIMEOUT -> ApiError.timeout("The request timed out after " + timeout.toSeconds()
                        + " s before generating anything.");
                case SHUTDOWN -> ApiError.shuttingDown();
                case FAILED -> ApiError.internal("Generation failed; see the server log.");
                default -> failure;
            };
        }
        return failure;
    }

    private Usage usage() {
        int completionTokens = 0;
        for (Update.Result result : results) {
            completionTokens += result.completionTokens();
        }
        return Usage.of(plan.promptTokens(), completionTokens);
    }

    private Speculative speculative() {
        SpeculationTotals totals = SpeculationTotals.NONE;
        for (Update.Result result : results) {
            if (result != null) {
                totals = totals.plus(result.speculation());
            }
        }
        return new Speculative(totals.draftedTokens(), totals.acceptedTokens(), totals.acceptanceRate(),
                totals.meanAcceptedLength(), draftVersion, engine.drafterKind());
    }

    private void send(Object chunk) {
        response.write("data: " + Json.write(chunk) + "\n\n");
    }

    private void clientLeft() {
        if (!closed) {
            closed = true;
            generations.forEach(scheduler::cancel);
        }
    }
}
