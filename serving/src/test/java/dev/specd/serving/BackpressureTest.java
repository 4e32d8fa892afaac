package dev.specd.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that stops reading a stream: once the connection's write queue is full the server pauses
 * the request's generations (they keep their slots, nothing more is generated), and when the client
 * reads again the stream resumes and arrives complete.
 */
class BackpressureTest {

    @TempDir
    static Path dir;

    @Test
    void aClientThatStopsReadingPausesItsGenerationsAndLosesNothing() throws Exception {
        int choices = 4;
        int maxTokens = 900; // about 650 kB of events: far more than the socket buffers hold
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
                StringBuilder[] texts = new StringBuilder[choices];
                String[] finishReasons = new String[choices];
                List<String> events = stream.rest();
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
    }
}
