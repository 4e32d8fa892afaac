package dev.specd.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.specd.model.ModelConfig;
import dev.specd.model.llama.LlamaWeights;
import dev.specd.querylog.QueryLogReader;
import dev.specd.querylog.StoredQuery;
import dev.specd.trainer.online.DraftManifest;
import dev.specd.trainer.online.DraftRegistry;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests that pin a registered draft version ({@code "speculative": {"draft_version": V}}) while
 * another one serves: the pinned version drafts them, exactly as it did when it served, and
 * responses and query-log records name it; versions that do not exist or do not verify, and servers
 * without a draft model, refuse the pin and go on serving.
 */
class PinnedDraftTest {

    static final int CONTEXT = 128;
    /** γ fixed at 4: drafted and accepted counts depend on the draft alone, not on what adaptive γ learned or timed. */
    static final String[] FIXED_GAMMA = {"--min-draft-tokens", "4", "--max-draft-tokens", "4"};
    static final String PROMPT = "The quick brown fox";

    @TempDir
    Path dir;
    Path models;
    Path dataDir;

    @BeforeEach
    void writeModels() throws IOException {
        models = TinyModels.write(dir.resolve("tiny"), CONTEXT);
        dataDir = dir.resolve("data");
    }

    @Test
    void aRequestPinnedToTheBaseDraftAfterAPromotionIsDraftedByItAsWhenItServed() throws Exception {
        try (TestServer server = TestServer.start(TestServer.config(models, dataDir, FIXED_GAMMA))) {
            JsonNode servedLive = completion(server, PROMPT, "");
            assertEquals("v0000", servedLive.at("/speculative/draft_version").asText());
            String v1 = addTargetAsDraft(DraftRegistry.open(dataDir));
            HttpResponse<String> promoted = server.post("/admin/drafts/" + v1 + "/promote", "");
            assertEquals(200, promoted.statusCode(), promoted.body());

            JsonNode unpinned = completion(server, PROMPT, "");
            JsonNode pinned = completion(server, PROMPT, pin("v0000"));
            assertEquals(v1, unpinned.at("/speculative/draft_version").asText());
            assertEquals("v0000", pinned.at("/speculative/draft_version").asText());
            assertEquals(text(servedLive), text(unpinned));
            assertEquals(text(servedLive), text(pinned));
            assertTrue(statistics(pinned).getFirst() > 0, "the pinned draft drafted: " + pinned);
            assertEquals(statistics(servedLive), statistics(pinned), "v0000 drafted the pinned request");
            assertNotEquals(statistics(servedLive), statistics(unpinned), "the target drafting for itself agrees more");
            assertEquals(1, server.metric("specd_draft_version"), "pinning leaves the serving version alone");
            assertEquals(List.of("v0000", v1, "v0000"), loggedVersions(3), "the query log names the draft that drafted");
        }
    }

    @Test
    void anUnknownOrCorruptVersionIsRefusedWhileServingGoesOn() throws Exception {
        try (TestServer server = TestServer.start(TestServer.config(models, dataDir))) {
            DraftRegistry registry = DraftRegistry.open(dataDir);
            String v1 = addRandomDraft(registry, 41);
            corrupt(registry, v1);
            for (String unknown : List.of("v0042", "latest", "")) {
                JsonNode error = refusal(server, pin(unknown), 404, "draft_not_found");
                assertTrue(error.get("message").asText().contains("'" + unknown + "'"), error.toString());
            }
            JsonNode corrupt = refusal(server, pin(v1), 422, "draft_refused");
            assertTrue(corrupt.get("message").asText().contains(v1 + "/model.safetensors does not match its manifest"),
                    corrupt.toString());

            JsonNode served = completion(server, PROMPT, "");
            assertEquals("v0000", served.at("/speculative/draft_version").asText());
            assertEquals("v0000", TestServer.json(server.get("/admin/drafts")).get("serving").asText());
            assertEquals("v0000", completion(server, PROMPT, pin("v0000")).at("/speculative/draft_version").asText(),
                    "pinning the version serving drafts with it");
        }
    }

    @Test
    void aPinIsRefusedWithoutADraftModelAndWithSpeculationOff() throws Exception {
        try (TestServer ngram = TestServer.start(models, "--drafter", "ngram")) {
            JsonNode error = refusal(ngram, pin("v0000"), 400, "invalid_value");
            assertTrue(error.get("message").asText().contains("'ngram' uses no draft model"), error.toString());
            assertEquals(200, ngram.post("/v1/completions", request(PROMPT, "")).statusCode());
        }
        try (TestServer server = TestServer.start(TestServer.config(models, dataDir))) {
            JsonNode error = refusal(server, "\"speculative\": {\"enabled\": false, \"draft_version\": \"v0000\"}", 400,
                    "invalid_value");
            assertTrue(error.get("message").asText().contains("enabled: false"), error.toString());
        }
    }

    @Test
    void concurrentPinnedAndUnpinnedRequestsAllCompleteWithTheirDrafts() throws Exception {
        try (TestServer server = TestServer.start(TestServer.config(models, dataDir, "--max-batch", "4"))) {
            DraftRegistry registry = DraftRegistry.open(dataDir);
            String v1 = addTargetAsDraft(registry);
            // Three versions pinned besides the serving one: more than are kept loaded, so some are evicted in use.
            List<String> pins = List.of("v0000", addRandomDraft(registry, 51), addRandomDraft(registry, 52));
            assertEquals(200, server.post("/admin/drafts/" + v1 + "/promote", "").statusCode());
            List<String> prompts = List.of(PROMPT, "In the beginning", "public static void", "the the the");
            Map<String, String> expected = new HashMap<>();
            for (String prompt : prompts) {
                expected.put(prompt, text(completion(server, prompt, "\"speculative\": {\"enabled\": false}")));
            }

            List<String> failures = new CopyOnWriteArrayList<>();
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                int client = c;
                clients.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 8; i++) {
                        String prompt = prompts.get((client + i) % prompts.size());
                        int choice = (client * 8 + i) % (pins.size() + 2);
                        // Unpinned, pinned to the version serving, or pinned to another one.
                        String version = choice < pins.size() ? pins.get(choice) : v1;
                        String extra = choice == pins.size() ? "" : pin(version);
                        HttpResponse<String> response = server.post("/v1/completions", request(prompt, extra));
                        if (response.statusCode() != 200) {
                            failures.add(response.statusCode() + " " + response.body());
                            continue;
                        }
                        JsonNode body = TestServer.json(response);
                        if (!text(body).equals(expected.get(prompt))) {
                            failures.add(version + ", " + prompt + ": '" + text(body) + "'");
                        }
                        if (!body.at("/speculative/draft_version").asText().equals(version)) {
                            failures.add("pinned " + version + ", answered " + body.get("speculative"));
                        }
                    }
                }));
            }
            for (Thread client : clients) {
                client.join();
            }
            assertEquals(List.of(), failures);
            assertEquals(200, server.post("/v1/completions", request(PROMPT, pin(pins.getFirst()))).statusCode());
        }
    }

    private static String pin(String version) {
        return "\"speculative\": {\"draft_version\": " + ServerTest.quote(version) + "}";
    }

    private static String request(String prompt, String speculative) {
        return "{\"prompt\": " + ServerTest.quote(prompt) + ", \"max_tokens\": 40, \"temperature\": 0"
                + (speculative.isEmpty() ? "" : ", " + speculative) + "}";
    }

    private static JsonNode completion(TestServer server, String prompt, String speculative) {
        HttpResponse<String> response = server.post("/v1/completions", request(prompt, speculative));
        assertEquals(200, response.statusCode(), response.body());
        return TestServer.json(response);
    }

    /** The error object of a request refused with {@code status} and {@code code}, naming the field. */
    private static JsonNode refusal(TestServer server, String speculative, int status, String code) {
        HttpResponse<String> response = server.post("/v1/completions", request(PROMPT, speculative));
        assertEquals(status, response.statusCode(), response.body());
        JsonNode error = TestServer.json(response).get("error");
        assertEquals(code, error.get("code").asText(), error.toString());
        assertEquals("speculative.draft_version", error.get("param").asText(), error.toString());
        return error;
    }

    private static String text(JsonNode completion) {
        return completion.at("/choices/0/text").asText();
    }

    private static List<Long> statistics(JsonNode completion) {
        return List.of(completion.at("/speculative/drafted_tokens").asLong(),
                completion.at("/speculative/accepted_tokens").asLong());
    }

    /** The target registered as the next version: a draft that agrees with it. */
    private String addTargetAsDraft(DraftRegistry registry) throws IOException {
        Path target = models.resolve(ServerConfig.TARGET_DIR);
        ModelConfig config = ModelConfig.read(target);
        return registry.add(config, TinyModels.targetWeights(config), target, lineage()).name();
    }

    /** A random draft of the bundled draft's shape registered as the next version. */
    private String addRandomDraft(DraftRegistry registry, long seed) throws IOException {
        Path draft = models.resolve(ServerConfig.DRAFT_DIR);
        ModelConfig config = ModelConfig.read(draft);
        return registry.add(config, LlamaWeights.initialise(config, seed, 0.3), draft, lineage()).name();
    }

    private static DraftManifest.Lineage lineage() {
        return new DraftManifest.Lineage("v0000", 0, 0, null, null);
    }

    /** Flips the last bytes of the weights: the file still parses, only its checksum tells. */
    private static void corrupt(DraftRegistry registry, String version) throws IOException {
        Path weights = registry.directory(version).resolve(DraftRegistry.WEIGHTS_FILE);
        byte[] bytes = Files.readAllBytes(weights);
        for (int i = bytes.length - 16; i < bytes.length; i++) {
            bytes[i] ^= 0x5a;
        }
        Files.write(weights, bytes);
    }

    /** The draft versions of the query log's records, once {@code expected} are written. */
    private List<String> loggedVersions(int expected) throws Exception {
        try (QueryLogReader log = QueryLogReader.open(dataDir)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            List<StoredQuery> stored = log.after(0, 100);
            while (stored.size() < expected && System.nanoTime() < deadline) {
                Thread.sleep(20);
                stored = log.after(0, 100);
            }
            return stored.stream().map(query -> query.record().draftVersion()).toList();
        }
    }
}
