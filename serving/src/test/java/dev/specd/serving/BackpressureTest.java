package dev.specd.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.specd.metrics.MeterName;
import io.micrometer.core.instrument.Counter;
import io.netty.channel.EventLoopGroup;
import io.vertx.core.internal.VertxInternal;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that stops reading a stream: once the connection's write queue is full the server pauses
 * the request's generations (they keep their slots, nothing more is generated), and when the client
 * reads again the stream resumes and arrives complete. An event loop that falls behind the inference
 * thread pauses them the same way.
 */
class BackpressureTest {

    @TempDir
    static Path dir;

    private static final int MAX_TOKENS = 900;
    /** How long the generated-token count must hold still to count as paused, in windows of {@link #WINDOW_MILLIS}. */
    private static final int STILL_WINDOWS = 3;
    private static final long WINDOW_MILLIS = 300;

    @Test
    void aClientThatStopsReadingPausesItsGenerationsAndLosesNothing() throws Exception {
        // About 2 MB of events: several times what the socket buffers and write queue hold (about 0.5 MB here).
        int choices = 12;
        Path models = TinyModels.write(dir.resolve("tiny"), 1024);
        try (TestServer server = TestServer.start(models, "--max-batch", Integer.toString(choices))) {
            try (RawStream stream = new RawStream(server.port(), "/v1/completions", floodRequest(choices), 4096)) {
                double generated = generatedOncePaused(server);
                assertTrue(generated < choices * MAX_TOKENS, "paused at " + generated + " tokens, before the end");
                assertEquals(choices, TestServer.json(server.get("/admin/status")).get("running").asInt(),
                        "paused generations hold their slots");

                assertEquals("HTTP/1.1 200 OK", stream.statusLine());
                assertCompleteGreedyStream(stream.rest(), choices);
            }
        }
    }

    /**
     * Without drafting each update carries one token, so once every event loop is blocked a request
     * can generate at most {@link Exchange#MAX_UNDELIVERED_UPDATES} more, plus the rest of the step
     * in which it paused. The client reads all along, so the write queue never pauses it.
     */
    @Test
    void anEventLoopThatFallsBehindPausesGenerationsUntilItCatchesUp() throws Exception {
        int choices = 4;
        Path models = TinyModels.write(dir.resolve("tiny-stall"), 1024);
        try (TestServer server = TestServer.start(models, "--max-batch", Integer.toString(choices),
                "--max-draft-tokens", "0")) {
            try (RawStream stream = new RawStream(server.port(), "/v1/completions", floodRequest(choices))) {
                assertEquals("HTTP/1.1 200 OK", stream.statusLine());
                CompletableFuture<List<String>> events = CompletableFuture.supplyAsync(stream::rest);
                EventLoopGroup eventLoops = ((VertxInternal) server.server.vertx()).eventLoopGroup();
                int loops = (int) StreamSupport.stream(eventLoops.spliterator(), false).count();
                CountDownLatch blocked = new CountDownLatch(loops);
                CountDownLatch release = new CountDownLatch(1);
                eventLoops.forEach(eventLoop -> eventLoop.execute(() -> {
                    blocked.countDown();
                    awaitQuietly(release);
                }));
                try {
                    assertTrue(blocked.await(30, TimeUnit.SECONDS), "the event loops never ran the blocking task");
                    double whenBlocked = generatedTokens(server).count();
                    double generated = generatedOncePaused(server);
                    assertTrue(generated - whenBlocked <= Exchange.MAX_UNDELIVERED_UPDATES + choices,
                            "generated " + (generated - whenBlocked) + " tokens after the event loops stopped");
                    assertTrue(generated < choices * MAX_TOKENS, "paused at " + generated + " tokens, before the end");
                } finally {
                    release.countDown();
                }
                assertCompleteGreedyStream(events.get(60, TimeUnit.SECONDS), choices);
            }
        }
    }

    /** A greedy stream of {@code choices} choices, {@link #MAX_TOKENS} tokens each, with a usage chunk. */
    private static String floodRequest(int choices) {
        return "{\"prompt\": \"flood\", \"max_tokens\": " + MAX_TOKENS + ", \"temperature\": 0, \"n\": " + choices
                + ", \"stream\": true, \"stream_options\": {\"include_usage\": true}}";
    }

    private static Counter generatedTokens(TestServer server) {
        return server.server.metrics().registry().get(MeterName.GENERATION_TOKENS.meterName()).counter();
    }

    /** The generated-token count once it has held still, above zero, for {@link #STILL_WINDOWS} windows in a row. */
    private static double generatedOncePaused(TestServer server) throws InterruptedException {
        Counter generatedTokens = generatedTokens(server);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        double generated = generatedTokens.count();
        int stillWindows = 0;
        while (stillWindows < STILL_WINDOWS && System.nanoTime() < deadline) {
            Thread.sleep(WINDOW_MILLIS);
            double later = generatedTokens.count();
            stillWindows = later == generated && later > 0 ? stillWindows + 1 : 0;
            generated = later;
        }
        assertEquals(STILL_WINDOWS, stillWindows, "generation never paused");
        return generated;
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Every choice ran to max_tokens with the same greedy text, and the usage chunk counts them all. */
    private static void assertCompleteGreedyStream(List<String> events, int choices) throws Exception {
        StringBuilder[] texts = new StringBuilder[choices];
        String[] finishReasons = new String[choices];
        for (String event : events.subList(0, events.size() - 2)) {
            JsonNode chunk = TestServer.JSON.readTree(event);
            int choice = chunk.at("/choices/0/index").asInt();
            if (texts[choice] == null) {
                texts[choice] = new StringBuilder();
            }
            texts[choice].append(chunk.at("/choices/0/text").asText());
            if (!chunk.at("/choices/0/finish_reason").isNull()) {
                finishReasons[choice] = chunk.at("/choices/0/finish_reason").asText();
            }
        }
        JsonNode usage = TestServer.JSON.readTree(events.get(events.size() - 2)).get("usage");
        assertEquals(choices * MAX_TOKENS, usage.get("completion_tokens").asInt());
        for (int choice = 0; choice < choices; choice++) {
            assertEquals("length", finishReasons[choice]);
            assertEquals(texts[0].toString(), texts[choice].toString(), "greedy choices are identical");
        }
    }
}
