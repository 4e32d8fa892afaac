package dev.specd.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.specd.cli.LoadTestCommand;
import dev.specd.loadtest.Arm;
import dev.specd.loadtest.LoadTest;
import dev.specd.loadtest.Summary;
import dev.specd.querylog.QueryLogReader;
import dev.specd.querylog.QueryRecord;
import dev.specd.querylog.StoredQuery;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code specd loadtest} against a real server on 127.0.0.1 with tiny random models: a short run
 * bounded by its request count, then the report is checked against itself, against the server's
 * {@code /metrics} (read here, independently of the load test's own scrapes) and against the query log.
 * It lives in serving's tests because serving depends on the loadtest module for the command line.
 */
@Timeout(300)
class LoadTestAgainstServerTest {

    private static final int REQUESTS = 18;
    private static final List<String> CHARTS = List.of("acceptance.png", "throughput.png", "latency-ttft.png",
            "latency-itl.png", "latency-e2e.png", "speedup.png");

    @TempDir
    Path dir;

    @Test
    void aShortRunWritesAReportThatAgreesWithTheServer() throws Exception {
        Path prompts = dir.resolve("heldout.jsonl");
        Files.writeString(prompts, """
                {"domain": "english", "prompt": "the theme of the thesis"}
                {"domain": "english", "prompt": "at the end of the day"}
                {"domain": "python", "prompt": "def f(x):\\n    return x"}
                {"domain": "python", "prompt": "for i in range(10):"}
                """);
        Path out = dir.resolve("report");
        try (TestServer server = TestServer.start(TinyModels.write(dir.resolve("tiny"), 128), "--max-batch", "4",
                "--drafter", "model", "--min-draft-tokens", "1")) {
            double draftedBefore = server.metric("specd_spec_draft_tokens_total");
            double acceptedBefore = server.metric("specd_spec_accepted_tokens_total");
            double generatedBefore = server.metric("specd_tokens_generation_total");
            Summary summary = LoadTest.run(LoadTestCommand.parse("--url", "http://127.0.0.1:" + server.port(),
                    "--duration", "120s", "--max-requests", String.valueOf(REQUESTS), "--users", "3", "--prompts",
                    prompts.toString(), "--max-tokens", "12", "--scrape-interval", "300ms", "--out", out.toString()));
            List<JsonNode> results = Files.readAllLines(out.resolve("requests.jsonl")).stream()
                    .map(LoadTestAgainstServerTest::json).toList();

            assertEquals(REQUESTS, results.size());
            assertTrue(results.stream().allMatch(result -> result.path("outcome").asText().equals("ok")),
                    results.toString());
            assertEquals(Set.of("english", "python"), values(results, "domain"), "the run shifted domain");
            assertEquals(Set.of(0, 1), results.stream().map(result -> result.path("phase").asInt())
                    .collect(Collectors.toSet()));
            assertEquals(12 * REQUESTS, sum(results, result -> result.path("output_tokens")));
            assertEquals(Map.of(), summary.run().unsupportedArms(), "the server pins the original draft");
            assertEquals(Set.of("off", "original", "adaptive"), values(results, "arm"));
            assertEquals(Set.of("v0000"), results.stream().filter(result -> result.path("arm").asText().equals("original"))
                    .map(result -> result.path("speculative").path("draft_version").asText()).collect(Collectors.toSet()));

            long drafted = sum(results, result -> result.path("speculative").path("drafted_tokens"));
            long accepted = sum(results, result -> result.path("speculative").path("accepted_tokens"));
            assertTrue(drafted > 0, "the adapting arm speculated");
            assertEquals(drafted, Math.round(server.metric("specd_spec_draft_tokens_total") - draftedBefore));
            assertEquals(accepted, Math.round(server.metric("specd_spec_accepted_tokens_total") - acceptedBefore));
            // Before its first scrape, the load test probed each arm with a one-token request.
            assertEquals(12 * REQUESTS + Arm.values().length,
                    Math.round(server.metric("specd_tokens_generation_total") - generatedBefore));

            JsonNode file = json(Files.readString(out.resolve("summary.json")));
            assertEquals(drafted, file.at("/totals/drafted_tokens").asLong());
            assertEquals(accepted, file.at("/totals/accepted_tokens").asLong());
            assertEquals(drafted, file.at("/server/drafted_tokens").asLong(), "the load test's own scrapes agree");
            assertEquals(accepted, file.at("/server/accepted_tokens").asLong());
            assertTrue(file.at("/agreement/consistent").asBoolean(), file.at("/agreement").toString());
            assertEquals(REQUESTS, file.at("/totals/ok").asInt());
            assertTrue(file.at("/server/scrapes").asInt() >= 2);

            for (String chart : CHARTS) {
                BufferedImage image = ImageIO.read(out.resolve(chart).toFile());
                assertNotNull(image, chart);
                assertTrue(image.getWidth() >= 600 && image.getHeight() >= 300, chart);
            }
            String html = Files.readString(out.resolve("report.html"));
            assertEquals(CHARTS.size(), html.split("data:image/png;base64,", -1).length - 1);

            Map<String, Long> logged = loggedDomains(server, REQUESTS);
            assertEquals(results.stream().collect(Collectors.groupingBy(result -> result.path("domain").asText(),
                    Collectors.counting())), logged, "every request is in the query log, tagged with its domain");
        }
    }

    /** Domains of the query log's records (the probes are store: false), once all expected are written. */
    private static Map<String, Long> loggedDomains(TestServer server, int expected) throws Exception {
        try (QueryLogReader reader = QueryLogReader.open(server.config.dataDir())) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            List<QueryRecord> records = List.of();
            while (records.size() < expected && System.nanoTime() < deadline) {
                records = reader.after(0, 10_000).stream().map(StoredQuery::record).toList();
                Thread.sleep(50);
            }
            return records.stream().collect(Collectors.groupingBy(QueryRecord::domain, Collectors.counting()));
        }
    }

    private static Set<String> values(List<JsonNode> results, String field) {
        return results.stream().map(result -> result.path(field).asText()).collect(Collectors.toSet());
    }

    private static long sum(List<JsonNode> results, Function<JsonNode, JsonNode> field) {
        return results.stream().mapToLong(result -> field.apply(result).asLong()).sum();
    }

    private static JsonNode json(String text) {
        try {
            return TestServer.JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new AssertionError(text, e);
        }
    }
}
