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
import java.util.concurrent.CountDownLatch;
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

    @Test
    void aClientThatStopsReadingPausesItsGenerationsAndLosesNothing() throws Exception {
        int choices = 12;
        // About 2 MB of events: several times what the socket buffers and write queue hold (about 0.5 MB here).
        int maxTokens = 900;
        Path models = TinyModels.write(dir.resolve("tiny"), 1024);
        try (TestServer server = TestServer.start(models, "--max-batch", Integer.toString(choices))) {
            String request = "{\"prompt\": \"flood\", \"max_tokens\": " + maxTokens + ", \"temperature\": 0, \"n\": " + choices
                    + ", \"stream\": true, \"stream_options\": {\"include_usage\": true}}";
            try (RawStream stream = new RawStream(server.port(), "/v1/completions", request, 4096)) {
                double generated;
                double later;
                long deadline = System.nanoTime() + 30_000_000_000L;
                do {
                    generated = server.metric("specd_tokens_generation_total");
                    Thread.sleep(300);
                    later = server.metric("specd_tokens_generation_total");
                } while ((later != generated || generated == 0) && System.nanoTime() < deadline);
                assertEquals(generated, later, "generation never paused");
                assertTrue(generated < choices * maxTokens, "paused at " + generated + " tokens, before the end");
                assertEquals(choices, TestServer.json(server.get("/admin/status")).get("running").asInt(),
                        "paused generations hold their slots");

                assertEquals("HTTP/1.1 200 OK", stream.statusLine());
                assertCompleteGreedyStream(stream.rest(), choices, maxTokens);
            }
        }
    }

    @Test
    void anEventLoopThatFallsBehindPausesGenerationsUntilItCatchesUp() throws Exception {
        int choices = 4;
        int maxTokens = 900;
        Path models = TinyModels.write(dir.resolve("tiny-stall"), 1024);
        try (TestServer server = TestServer.start(models, "--max-batch", Integer.toString(choices))) {
            String request = "{\"prompt\": \"flood\", \"max_tokens\": " + maxTokens + ", \"temperature\": 0, \"n\": " + choices
                    + ", \"stream\": true, \"stream_options\": {\"include_usage\": true}}";
            Counter generatedTokens = server.server.metrics().registry().get(MeterName.GENERATION_TOKENS.meterName()).counter();
            try (RawStream stream = new RawStream(server.port(), "/v1/completions", request)) {
                assertEquals("HTTP/1.1 200 OK", stream.statusLine());
                CountDownLatch release = new CountDownLatch(1);
                EventLoopGroup eventLoops = ((VertxInternal) server.server.vertx()).eventLoopGroup();
                eventLoops.forEach(eventLoop -> eventLoop.execute(() -> awaitQuietly(release)));
                try {
                    double generated;
                    double later;
                    long deadline = System.nanoTime() + 30_000_000_000L;
                    do {
                        generated = generatedTokens.count();
                        Thread.sleep(300);
                        later = generatedTokens.count();
                    } while (later != generated && System.nanoTime() < deadline);
                    assertEquals(generated, later, "generation never paused");
                    assertTrue(generated < choices * maxTokens, "paused at " + generated + " tokens, before the end");
                } finally {
                    release.countDown();
                }
                assertCompleteGreedyStream(stream.rest(), choices, maxTokens);
            }
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Every choice ran to max_tokens with the same greedy text, and the usage chunk counts them all. */
    private static void assertCompleteGreedyStream(List<String> events, int choices, int maxTokens) throws Exception {
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
        assertEquals(choices * maxTokens, usage.get("completion_tokens").asInt());
        for (int choice = 0; choice < choices; choice++) {
            assertEquals("length", finishReasons[choice]);
            assertEquals(texts[0].toString(), texts[choice].toString(), "greedy choices are identical");
        }
    }
}
