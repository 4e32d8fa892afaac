package dev.specd.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Admission and the lifecycle of requests: not ready while loading, queue full, clients that go
 * away, per-request timeouts and graceful shutdown. The target is large enough that a long
 * generation takes seconds, so that requests are reliably in flight while the test acts: 75 MB of
 * float32 weights a token (hidden size 512, eight layers). An eighth of that (256, four layers)
 * generated 2,000 tokens in under 0.9 s once the java backend's kernels were compiled, in a full
 * test run, and outran the one-second timeout.
 */
class AdmissionTest {

    static final int CONTEXT = 2048;
    static final String LONG = "{\"prompt\": \"a long story\", \"max_tokens\": 2000, \"temperature\": 0";

    @TempDir
    static Path dir;
    static Path models;

    @BeforeAll
    static void writeModels() throws Exception {
        models = TinyModels.write(dir.resolve("slow"), CONTEXT, 512, 8);
    }

    @Test
    void notReadyWhileTheModelsLoad() throws Exception {
        ServerConfig config = TestServer.config(models);
        CountDownLatch release = new CountDownLatch(1);
        try (SpecdServer server = SpecdServer.start(config, () -> {
            release.await();
            return Engine.load(config);
        })) {
            TestServer client = TestServer.of(server, config);
            HttpResponse<String> ready = client.get("/ready");
            assertEquals(503, ready.statusCode());
            assertEquals("not_ready", TestServer.json(ready).at("/error/code").asText());
            HttpResponse<String> completion = client.post("/v1/completions", "{\"prompt\": \"hi\"}");
            assertEquals(503, completion.statusCode());
            assertEquals("1", completion.headers().firstValue("Retry-After").orElseThrow());
            assertEquals(200, client.get("/health").statusCode());
            assertEquals("loading", TestServer.json(client.get("/admin/status")).get("status").asText());
            release.countDown();
            server.ready().get(60, TimeUnit.SECONDS);
            assertEquals(200, client.get("/ready").statusCode());
        }
    }

    @Test
    void aFullQueueAnswers429AndAClientThatGoesAwayFreesItsSlot() throws Exception {
        try (TestServer server = TestServer.start(models, "--max-batch", "1", "--queue", "1")) {
            String stream = LONG + ", \"stream\": true}";
            RawStream first = new RawStream(server.port(), "/v1/completions", stream);
            assertEquals("HTTP/1.1 200 OK", first.statusLine());
            first.nextData();
            try (RawStream second = new RawStream(server.port(), "/v1/completions", stream)) {
                awaitStatus(server, status -> status.get("running").asInt() == 1 && status.get("waiting").asInt() == 1);

                HttpResponse<String> refused = server.post("/v1/completions", "{\"prompt\": \"hi\", \"max_tokens\": 2}");
                assertEquals(429, refused.statusCode());
                assertEquals("1", refused.headers().firstValue("Retry-After").orElseThrow());
                assertEquals("queue_full", TestServer.json(refused).at("/error/code").asText());

                first.close(); // the second request can only start in the slot the first one held
                assertEquals("HTTP/1.1 200 OK", second.statusLine());
                second.nextData();
                awaitStatus(server, status -> status.get("running").asInt() == 1 && status.get("waiting").asInt() == 0);
            }
            awaitStatus(server, status -> status.get("running").asInt() == 0 && status.get("waiting").asInt() == 0);
            assertEquals(0, server.metric("specd_requests_running"));
            assertEquals(2, server.metric("specd_requests_finished_total{reason=\"cancelled\"}"));
            assertEquals(200, server.post("/v1/completions", "{\"prompt\": \"hi\", \"max_tokens\": 2}").statusCode());
        }
    }

    @Test
    void aRequestPastItsTimeoutIsCutShortWithWhatItGenerated() throws Exception {
        try (TestServer server = TestServer.start(models, "--max-batch", "1", "--request-timeout", "1")) {
            long start = System.nanoTime();
            HttpResponse<String> response = server.post("/v1/completions",
                    LONG + ", \"speculative\": {\"enabled\": false}}");
            double seconds = (System.nanoTime() - start) / 1e9;
            assertEquals(200, response.statusCode(), response.body());
            JsonNode body = TestServer.json(response);
            assertEquals("abort", body.at("/choices/0/finish_reason").asText());
            int tokens = body.at("/usage/completion_tokens").asInt();
            assertTrue(tokens > 0 && tokens < 2000, tokens + " tokens");
            assertTrue(seconds >= 1 && seconds < 10, seconds + " s");
            assertEquals(1, server.metric("specd_requests_finished_total{reason=\"abort\"}"));
        }
    }

    @Test
    void shutdownEndsStreamsInFlightWithAbortAndDone() throws Exception {
        TestServer server = TestServer.start(models, "--max-batch", "2", "--shutdown-grace", "0");
        try (RawStream stream = new RawStream(server.port(), "/v1/completions", LONG + ", \"stream\": true}")) {
            assertEquals("HTTP/1.1 200 OK", stream.statusLine());
            stream.nextData();
            Thread closer = Thread.ofPlatform().start(server::close);
            List<String> rest = stream.rest();
            JsonNode last = TestServer.JSON.readTree(rest.get(rest.size() - 2));
            assertEquals("abort", last.at("/choices/0/finish_reason").asText(), rest.toString());
            assertTrue(last.has("speculative"));
            closer.join(30_000);
        }
    }

    private static void awaitStatus(TestServer server, Predicate<JsonNode> condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        JsonNode status;
        do {
            status = TestServer.json(server.get("/admin/status"));
            if (condition.test(status)) {
                return;
            }
            Thread.sleep(10);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("status never matched: " + status);
    }
}
