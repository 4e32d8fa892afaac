package dev.specd.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.specd.model.KVCache;
import dev.specd.model.SamplingParams;
import dev.specd.model.Tokenizer;
import dev.specd.model.llama.Transformer;
import dev.specd.querylog.QueryLogReader;
import dev.specd.querylog.QueryRecord;
import dev.specd.querylog.StoredQuery;
import dev.specd.verifier.AdaptiveSpeculation;
import dev.specd.verifier.GenerationRequest;
import dev.specd.verifier.MeasuredCost;
import dev.specd.verifier.Sequence;
import dev.specd.verifier.SpeculativeDecoder;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAI-compatible endpoints over real sockets, on tiny random models: greedy outputs equal a
 * direct {@link SpeculativeDecoder} run, streamed and whole responses agree, speculation on and off
 * agree, concurrent requests all complete, and the spec counters move.
 */
class ServerTest {

    static final int CONTEXT = 192;

    @TempDir
    static Path dir;
    static TestServer server;
    static Transformer reference;
    static Tokenizer tokenizer;
    static KVCache referenceCache;

    @BeforeAll
    static void start() throws Exception {
        Path models = TinyModels.write(dir.resolve("tiny"), CONTEXT);
        server = TestServer.start(models, "--max-batch", "4", "--queue", "64", "--drafter", "model",
                "--max-body", "65536", "--min-draft-tokens", "1");
        reference = Transformer.load(models.resolve("target"), Device.cpu(), DataType.FLOAT32);
        referenceCache = reference.newCache(1, CONTEXT, Long.MAX_VALUE);
        tokenizer = Tokenizer.load(models.resolve("target"));
    }

    @AfterAll
    static void stop() {
        server.close();
        referenceCache.close();
        reference.close();
        tokenizer.close();
    }

    /** Greedy text of a plain (non-speculative) decoder run on the target alone, one request at a time. */
    static synchronized Reference direct(String prompt, int maxTokens, List<String> stop) {
        AdaptiveSpeculation.Config off = new AdaptiveSpeculation.Config(0, 0, 0, 0, 0.5, 0.1, 1);
        try (SpeculativeDecoder decoder = new SpeculativeDecoder(reference, referenceCache, null, off, tokenizer::decode,
                new MeasuredCost(1, 0.02, 0.2))) {
            Sequence sequence = decoder.start(new GenerationRequest(tokenizer.encode(prompt), SamplingParams.GREEDY, 0,
                    maxTokens, stop, 0)).orElseThrow();
            while (!sequence.finished()) {
                decoder.step(List.of(sequence));
            }
            decoder.release(sequence);
            return new Reference(sequence.text(), sequence.generated().length, sequence.finish().openAiReason());
        }
    }

    record Reference(String text, int tokens, String finishReason) {}

    static String completion(String prompt, int maxTokens, String extra) {
        return "{\"model\": \"tiny\", \"prompt\": " + quote(prompt) + ", \"max_tokens\": " + maxTokens
                + ", \"temperature\": 0" + extra + "}";
    }

    static String quote(String text) {
        return TestServer.JSON.valueToTree(text).toString();
    }

    @Test
    void listsTheModelAndAnswersHealthReadinessAndMetrics() {
        JsonNode models = TestServer.json(server.get("/v1/models"));
        assertEquals("list", models.get("object").asText());
        assertEquals("tiny", models.at("/data/0/id").asText());
        assertEquals(CONTEXT, models.at("/data/0/context_length").asInt());
        assertEquals(200, server.get("/v1/models/tiny").statusCode());
        assertEquals("model_not_found", TestServer.json(server.get("/v1/models/gpt-4")).at("/error/code").asText());
        assertEquals(200, server.get("/health").statusCode());
        assertEquals("ready", TestServer.json(server.get("/ready")).get("status").asText());
        HttpResponse<String> metrics = server.get("/metrics");
        assertTrue(metrics.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain"));
        assertTrue(metrics.body().contains("# HELP specd_spec_drafts_total"), metrics.body());
        JsonNode status = TestServer.json(server.get("/admin/status"));
        assertEquals(4, status.get("max_batch").asInt());
        assertEquals("model", status.get("drafter").asText());
    }

    @Test
    void greedyCompletionEqualsADirectDecoderRunWithUsageAndSpeculationStatistics() {
        String prompt = "the cat sat on the mat";
        Reference expected = direct(prompt, 24, List.of());
        HttpResponse<String> response = server.post("/v1/completions", completion(prompt, 24, ""));
        assertEquals(200, response.statusCode(), response.body());
        JsonNode body = TestServer.json(response);
        assertEquals("text_completion", body.get("object").asText());
        assertTrue(body.get("id").asText().startsWith("cmpl-"));
        assertEquals(expected.text(), body.at("/choices/0/text").asText());
        assertEquals("length", body.at("/choices/0/finish_reason").asText());
        assertEquals(tokenizer.encode(prompt).length, body.at("/usage/prompt_tokens").asInt());
        assertEquals(24, body.at("/usage/completion_tokens").asInt());
        assertEquals(body.at("/usage/prompt_tokens").asInt() + 24, body.at("/usage/total_tokens").asInt());
        JsonNode speculative = body.get("speculative");
        assertTrue(speculative.get("drafted_tokens").asLong() > 0, speculative.toString());
        long accepted = speculative.get("accepted_tokens").asLong();
        assertEquals((double) accepted / speculative.get("drafted_tokens").asLong(), speculative.get("acceptance_rate").asDouble(), 1e-9);
        assertTrue(speculative.get("mean_accepted_length").asDouble() >= 1);
        assertEquals("v0000", speculative.get("draft_version").asText());
        assertEquals("model", speculative.get("drafter").asText());
        assertTrue(server.metric("specd_scheduler_iteration_seconds_count") >= 2, "prefill and at least one step");
    }

    @Test
    void streamedCompletionConcatenatesToTheWholeTextAndEndsWithStatisticsAndDone() {
        String prompt = "in the beginning";
        String whole = TestServer.json(server.post("/v1/completions", completion(prompt, 30, ""))).at("/choices/0/text").asText();
        HttpResponse<String> response = server.post("/v1/completions", completion(prompt, 30, ", \"stream\": true"));
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElseThrow().startsWith("text/event-stream"));
        List<JsonNode> events = TestServer.events(response.body());
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < events.size(); i++) {
            JsonNode event = events.get(i);
            assertEquals("text_completion", event.get("object").asText());
            text.append(event.at("/choices/0/text").asText());
            boolean last = i == events.size() - 1;
            assertEquals(last, !event.at("/choices/0/finish_reason").isNull(), event.toString());
            assertEquals(last, event.has("speculative"), event.toString());
        }
        assertTrue(events.size() > 1, "streamed in several chunks");
        assertEquals(whole, text.toString());
        assertEquals("length", events.getLast().at("/choices/0/finish_reason").asText());
    }

    @Test
    void streamOptionsIncludeUsageAddsAFinalUsageChunk() {
        HttpResponse<String> response = server.post("/v1/completions",
                completion("usage please", 8, ", \"stream\": true, \"stream_options\": {\"include_usage\": true}"));
        List<JsonNode> events = TestServer.events(response.body());
        JsonNode last = events.getLast();
        assertEquals(0, last.get("choices").size());
        assertEquals(8, last.at("/usage/completion_tokens").asInt());
        assertTrue(last.has("speculative"));
        assertEquals("length", events.get(events.size() - 2).at("/choices/0/finish_reason").asText());
    }

    @Test
    void chatCompletionUsesTheTemplateAndStreamsTheSameReply() {
        String messages = "[{\"role\": \"system\", \"content\": \"Be brief.\"}, "
                + "{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"Hello\"}]}]";
        String request = "{\"messages\": " + messages + ", \"max_completion_tokens\": 20, \"temperature\": 0";
        String prompt = "System: Be brief.\nUser: Hello\nAssistant:";
        Reference expected = direct(prompt, 20, List.of(ChatTemplate.IMPLICIT_STOP));

        JsonNode body = TestServer.json(server.post("/v1/chat/completions", request + "}"));
        assertEquals("chat.completion", body.get("object").asText());
        assertEquals("assistant", body.at("/choices/0/message/role").asText());
        assertEquals(ChatTemplate.reply(expected.text(), true), body.at("/choices/0/message/content").asText());
        assertEquals(expected.finishReason(), body.at("/choices/0/finish_reason").asText());
        assertTrue(body.has("speculative"));

        List<JsonNode> events = TestServer.events(server.post("/v1/chat/completions", request + ", \"stream\": true}").body());
        assertEquals("assistant", events.getFirst().at("/choices/0/delta/role").asText());
        StringBuilder content = new StringBuilder();
        for (JsonNode event : events) {
            assertEquals("chat.completion.chunk", event.get("object").asText());
            content.append(event.at("/choices/0/delta/content").asText());
        }
        assertEquals(body.at("/choices/0/message/content").asText(), content.toString());
        assertTrue(events.getLast().has("speculative"));
    }

    @Test
    void aStopStringCutsTheTextInWholeAndStreamedResponses() {
        String prompt = "stop me";
        String full = direct(prompt, 40, List.of()).text();
        String stop = full.substring(10, 12);
        Reference expected = direct(prompt, 40, List.of(stop));
        String request = completion(prompt, 40, ", \"stop\": " + quote(stop));
        JsonNode body = TestServer.json(server.post("/v1/completions", request));
        assertEquals(expected.text(), body.at("/choices/0/text").asText());
        assertEquals("stop", body.at("/choices/0/finish_reason").asText());
        assertFalse(body.at("/choices/0/text").asText().contains(stop));
        StringBuilder streamed = new StringBuilder();
        for (JsonNode event : TestServer.events(server.post("/v1/completions",
                request.replace("}", ", \"stream\": true}")).body())) {
            streamed.append(event.at("/choices/0/text").asText());
        }
        assertEquals(expected.text(), streamed.toString());
    }

    @Test
    void aListOfPromptsGivesOneChoicePerPromptAndNSamplesEach() {
        JsonNode body = TestServer.json(server.post("/v1/completions",
                "{\"prompt\": [\"first\", \"second\"], \"max_tokens\": 6, \"temperature\": 0}"));
        assertEquals(2, body.get("choices").size());
        assertEquals(direct("first", 6, List.of()).text(), body.at("/choices/0/text").asText());
        assertEquals(direct("second", 6, List.of()).text(), body.at("/choices/1/text").asText());
        assertEquals(1, body.at("/choices/1/index").asInt());
        assertEquals(12, body.at("/usage/completion_tokens").asInt());

        // Reproducible with speculation off: otherwise the random draws consumed depend on what was drafted.
        String sampled = "{\"prompt\": \"dice\", \"max_tokens\": 12, \"temperature\": 1.5, \"n\": 3, \"seed\": 7, "
                + "\"speculative\": {\"enabled\": false}}";
        JsonNode first = TestServer.json(server.post("/v1/completions", sampled));
        JsonNode again = TestServer.json(server.post("/v1/completions", sampled));
        assertEquals(3, first.get("choices").size());
        assertEquals(first.get("choices"), again.get("choices"), "a seed makes sampling reproducible");
        assertNotEquals(first.at("/choices/0/text"), first.at("/choices/1/text"), "choices draw different samples");
    }

    @Test
    void greedyResponsesAreIdenticalWithSpeculationOnAndOff() {
        for (String prompt : List.of("speculation", "a b c d e f", "the the the the")) {
            JsonNode on = TestServer.json(server.post("/v1/completions", completion(prompt, 32, "")));
            JsonNode off = TestServer.json(server.post("/v1/completions",
                    completion(prompt, 32, ", \"speculative\": {\"enabled\": false}")));
            JsonNode narrow = TestServer.json(server.post("/v1/completions",
                    completion(prompt, 32, ", \"speculative\": {\"max_draft_tokens\": 1}")));
            assertEquals(on.at("/choices/0/text"), off.at("/choices/0/text"), prompt);
            assertEquals(on.at("/choices/0/text"), narrow.at("/choices/0/text"), prompt);
            assertTrue(on.at("/speculative/drafted_tokens").asLong() > 0);
            assertEquals(0, off.at("/speculative/drafted_tokens").asLong());
            assertTrue(off.at("/speculative/acceptance_rate").isNull());
        }
    }

    @Test
    void thirtyTwoConcurrentRequestsAllCompleteWithTheirOwnGreedyOutputs() throws Exception {
        int requests = 32;
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            String body = completion("request number " + i, 10 + i % 7, i % 2 == 0 ? ", \"stream\": true" : "");
            responses.add(server.client().sendAsync(server.request("/v1/completions")
                    .header("Content-Type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        try (ExecutorService references = Executors.newSingleThreadExecutor()) {
            List<Future<Reference>> expected = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                int index = i;
                expected.add(references.submit(() -> direct("request number " + index, 10 + index % 7, List.of())));
            }
            for (int i = 0; i < requests; i++) {
                HttpResponse<String> response = responses.get(i).get(60, TimeUnit.SECONDS);
                assertEquals(200, response.statusCode(), response.body());
                String text;
                if (i % 2 == 0) {
                    StringBuilder streamed = new StringBuilder();
                    TestServer.events(response.body()).forEach(event -> streamed.append(event.at("/choices/0/text").asText()));
                    text = streamed.toString();
                } else {
                    text = TestServer.json(response).at("/choices/0/text").asText();
                }
                assertEquals(expected.get(i).get().text(), text, "request " + i);
            }
        }
    }

    @Test
    void theSpeculationCountersMoveOnMetrics() {
        double drafts = server.metric("specd_spec_drafts_total");
        double drafted = server.metric("specd_spec_draft_tokens_total");
        double generated = server.metric("specd_tokens_generation_total");
        double finished = server.metric("specd_requests_finished_total{reason=\"length\"}");
        JsonNode body = TestServer.json(server.post("/v1/completions", completion("count me in", 20, "")));
        long draftedNow = body.at("/speculative/drafted_tokens").asLong();
        assertTrue(draftedNow > 0);
        assertTrue(server.metric("specd_spec_drafts_total") > drafts);
        assertTrue(server.metric("specd_spec_draft_tokens_total") >= drafted + draftedNow);
        assertTrue(server.metric("specd_tokens_generation_total") >= generated + 20);
        assertTrue(server.metric("specd_requests_finished_total{reason=\"length\"}") > finished);
        String text = server.get("/metrics").body();
        assertTrue(text.contains("specd_spec_accepted_tokens_per_position_total{position=\"0\"}")
                || server.metric("specd_spec_accepted_tokens_total") == 0, text);
        assertTrue(text.contains("specd_request_time_to_first_token_seconds_count"), text);
        assertEquals(0, server.metric("specd_draft_version"));
    }
    @Test
    void servedRequestsAreLoggedWithTheTargetsDistributionsUnlessStoreIsFalse() throws Exception {
        String unlogged = TestServer.json(server.post("/v1/completions",
                completion("keep this out of the log", 6, ", \"store\": false"))).get("id").asText();
        String prompt = "log this one";
        JsonNode body = TestServer.json(server.post("/v1/completions", completion(prompt, 12,
                ", \"user\": \"u1\", \"metadata\": {\"domain\": \"code\", \"team\": \"a\"}")));
        String id = body.get("id").asText();
        QueryRecord record = null;
        try (QueryLogReader reader = QueryLogReader.open(server.config.dataDir())) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (record == null && System.nanoTime() < deadline) {
                List<QueryRecord> records = reader.after(0, 10_000).stream().map(StoredQuery::record).toList();
                assertTrue(records.stream().noneMatch(logged -> logged.requestId().equals(unlogged)), "store: false was logged");
                record = records.stream().filter(logged -> logged.requestId().equals(id)).findFirst().orElse(null);
                Thread.sleep(20);
            }
        }
        assertNotNull(record, "never logged");
        assertEquals("completions", record.endpoint());
        assertArrayEquals(tokenizer.encode(prompt), record.promptTokens());
        assertEquals(12, record.outputTokens().length);
        assertEquals(direct(prompt, 12, List.of()).text(), tokenizer.decode(record.outputTokens()));
        assertEquals(0, record.temperature());
        assertEquals(12, record.maxTokens());
        assertEquals("u1", record.user());
        assertEquals("code", record.domain());
        assertEquals(Map.of("domain", "code", "team", "a"), record.metadata());
        assertEquals("v0000", record.draftVersion());
        assertEquals("model", record.drafter());
        assertEquals(body.at("/speculative/drafted_tokens").asLong(), Arrays.stream(record.draftedPerStep()).sum());
        assertEquals(body.at("/speculative/accepted_tokens").asLong(), Arrays.stream(record.acceptedPerStep()).sum());
        for (int i = 0; i < 12; i++) {
            // Greedy: every output token is the most likely one under the logged target distribution.
            assertEquals(record.outputTokens()[i], record.targetTopLogprobs().get(i).tokenIds()[0], "position " + i);
        }
        assertTrue(server.metric("specd_querylog_records_written_total") >= 1);
    }
}
