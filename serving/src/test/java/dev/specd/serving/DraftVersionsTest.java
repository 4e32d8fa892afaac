package dev.specd.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.specd.model.ModelConfig;
import dev.specd.model.cpu.CpuTransformer;
import dev.specd.model.llama.LlamaWeights;
import dev.specd.querylog.QueryLogReader;
import dev.specd.trainer.online.DraftManifest;
import dev.specd.trainer.online.DraftRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Draft versions while serving, with the trainer off: swaps under load leave greedy outputs
 * unchanged; a corrupt version is refused when promoted, when the registry's current names it, and
 * at startup, while the previous draft keeps serving; a version that another process (a
 * {@code specd train}) promotes is swapped in by polling, and responses and query-log records name
 * the version that served them. On cpu the java backend serves the target and every draft swapped in.
 */
class DraftVersionsTest {

    static final int CONTEXT = 128;
    static final Duration WAIT = Duration.ofSeconds(20);
    static final List<String> PROMPTS = List.of("The quick brown fox", "In the beginning", "public static void",
            "the the the", "Once upon a time", "import java.util");

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
    void requestsKeepSucceedingWithUnchangedGreedyOutputsWhileDraftsAreSwapped() throws Exception {
        try (TestServer server = TestServer.start(TestServer.config(models, dataDir, "--max-batch", "4"))) {
            DraftRegistry trainer = DraftRegistry.open(dataDir);
            String v1 = addVersion(trainer, "v0000", 11);
            String v2 = addVersion(trainer, v1, 12);
            List<String> expected = new ArrayList<>();
            for (String prompt : PROMPTS) {
                expected.add(text(server.post("/v1/completions", request(prompt, ", \"speculative\": {\"enabled\": false}"))));
            }

            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger served = new AtomicInteger();
            List<String> failures = new CopyOnWriteArrayList<>();
            Set<String> versionsSeen = ConcurrentHashMap.newKeySet();
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < 3; c++) {
                int client = c;
                clients.add(Thread.ofPlatform().start(() -> {
                    for (int i = client; !stop.get(); i++) {
                        int prompt = i % PROMPTS.size();
                        boolean stream = client == 0;
                        HttpResponse<String> response = server.post("/v1/completions",
                                request(PROMPTS.get(prompt), stream ? ", \"stream\": true" : ""));
                        if (response.statusCode() != 200) {
                            failures.add(response.statusCode() + " " + response.body());
                            continue;
                        }
                        JsonNode last = stream ? TestServer.events(response.body()).getLast() : TestServer.json(response);
                        String text = stream ? streamedText(response.body()) : text(response);
                        if (!text.equals(expected.get(prompt))) {
                            failures.add("prompt " + prompt + ": '" + text + "' instead of '" + expected.get(prompt) + "'");
                        }
                        versionsSeen.add(last.at("/speculative/draft_version").asText());
                        served.incrementAndGet();
                    }
                }));
            }
            // Each change waits for serving to swap, then for a few requests to complete on the new draft.
            List<String[]> changes = List.of(new String[] {"/admin/drafts/" + v1 + "/promote", v1},
                    new String[] {"/admin/drafts/" + v2 + "/promote", v2}, new String[] {"/admin/drafts/rollback", v1},
                    new String[] {"/admin/drafts/rollback", "v0000"}, new String[] {"/admin/drafts/" + v2 + "/promote", v2},
                    new String[] {"/admin/drafts/rollback", v1});
            for (String[] change : changes) {
                HttpResponse<String> response = server.post(change[0], "");
                assertEquals(200, response.statusCode(), response.body());
                assertEquals(change[1], TestServer.json(response).get("serving").asText(), response.body());
                assertEquals(change[1], TestServer.json(response).get("current").asText(), response.body());
                int before = served.get();
                await(() -> served.get() >= before + 3 || !failures.isEmpty(), "requests after swapping to " + change[1]);
            }
            stop.set(true);
            for (Thread client : clients) {
                client.join();
            }
            assertEquals(List.of(), failures);
            assertTrue(versionsSeen.containsAll(Set.of(v1, v2, "v0000")), "versions reported: " + versionsSeen);
            assertEquals(changes.size(), server.metric("specd_draft_swaps_total"));
            assertEquals(1, server.metric("specd_draft_version"));
            assertEquals(0, server.metric("specd_draft_refusals_total"));
        }
    }

    @Test
    void aCorruptVersionIsRefusedWhenPromotedWhenCurrentAndAtStartupWhileThePreviousOneKeepsServing() throws Exception {
        String v1;
        String v2;
        try (TestServer server = TestServer.start(TestServer.config(models, dataDir))) {
            DraftRegistry trainer = DraftRegistry.open(dataDir);
            v1 = addVersion(trainer, "v0000", 21);
            v2 = addVersion(trainer, v1, 22);
            assertEquals(200, server.post("/admin/drafts/" + v1 + "/promote", "").statusCode());
            corrupt(trainer, v2);

            HttpResponse<String> refused = server.post("/admin/drafts/" + v2 + "/promote", "");
            assertEquals(422, refused.statusCode(), refused.body());
            JsonNode error = TestServer.json(refused).get("error");
            assertEquals("draft_refused", error.get("code").asText());
            assertTrue(error.get("message").asText().contains(v2 + "/model.safetensors does not match its manifest"),
                    error.toString());
            assertTrue(error.get("message").asText().contains(v1 + " keeps serving"), error.toString());
            assertServing(server, v1, v1);

            // Another process made it current (and then the file was damaged): serving refuses it and goes on.
            Files.writeString(trainer.root().resolve(DraftRegistry.CURRENT), v2 + "\n");
            await(() -> server.metric("specd_draft_refusals_total") >= 1, "the follower refusing " + v2);
            assertServing(server, v1, v2);
        }
        // At startup the current version is corrupt: its parent serves and is made current again.
        try (TestServer server = TestServer.start(TestServer.config(models, dataDir))) {
            assertServing(server, v1, v1);
            JsonNode drafts = TestServer.json(server.get("/admin/drafts"));
            assertEquals(List.of("v0000", v1, v2), versions(drafts));
            assertEquals(v1, drafts.at("/versions/2/manifest/parent").asText(), "the refused version stays listed");
        }
    }

    @Test
    void aVersionPromotedByAnotherProcessIsSwappedInByPolling() throws Exception {
        try (TestServer server = TestServer.start(TestServer.config(models, dataDir))) {
            assertServing(server, "v0000", "v0000");
            DraftRegistry otherProcess = DraftRegistry.open(dataDir);
            String v1 = addVersion(otherProcess, "v0000", 31);
            otherProcess.promote(v1);
            await(() -> TestServer.json(server.get("/admin/status")).get("draft_version").asText().equals(v1),
                    "serving to poll the registry and swap in " + v1);
            assertServing(server, v1, v1);
            assertEquals(1, server.metric("specd_draft_version"));
            assertEquals(1, server.metric("specd_draft_swaps_total"));
            try (QueryLogReader log = QueryLogReader.open(dataDir)) {
                await(() -> logged(log).size() == 2, "both requests in the query log");
                assertEquals(List.of("v0000", v1), logged(log), "each record names the draft that served it");
            }
        }
    }

    @Test
    void aDraftPromotedWhileServingOnCpuRunsOnTheJavaBackend() throws Exception {
        ServerConfig config = TestServer.config(models, dataDir, "--min-draft-tokens", "1");
        AtomicReference<Engine> engine = new AtomicReference<>();
        SpecdServer started = SpecdServer.start(config, () -> {
            engine.set(Engine.load(config));
            return engine.get();
        });
        try (TestServer server = TestServer.of(started, config)) {
            started.ready().get(60, TimeUnit.SECONDS);
            DraftSwap swap = engine.get().draftSwap().orElseThrow();
            assertInstanceOf(CpuTransformer.class, swap.serving().model(), "the base draft");
            String plain = text(server.post("/v1/completions", request("Once upon a time",
                    ", \"speculative\": {\"enabled\": false}")));

            String v1 = addVersion(DraftRegistry.open(dataDir), "v0000", 41);
            HttpResponse<String> promoted = server.post("/admin/drafts/" + v1 + "/promote", "");
            assertEquals(200, promoted.statusCode(), promoted.body());
            assertEquals(v1, swap.serving().version());
            assertInstanceOf(CpuTransformer.class, swap.serving().model(), "the draft swapped in");
            HttpResponse<String> speculative = server.post("/v1/completions", request("Once upon a time", ""));
            assertEquals(plain, text(speculative), "greedy output with the new draft");
            assertEquals(v1, TestServer.json(speculative).at("/speculative/draft_version").asText());
            assertTrue(TestServer.json(speculative).at("/speculative/drafted_tokens").asInt() > 0,
                    speculative.body());
        }
    }

    /** One request completes and names {@code serving}; the registry lists {@code current}. */
    private static void assertServing(TestServer server, String serving, String current) {
        HttpResponse<String> response = server.post("/v1/completions", request("still serving", ""));
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(serving, TestServer.json(response).at("/speculative/draft_version").asText());
        JsonNode drafts = TestServer.json(server.get("/admin/drafts"));
        assertEquals(serving, drafts.get("serving").asText());
        assertEquals(current, drafts.get("current").asText());
    }

    /** Registers a random draft of the bundled draft's shape as the next version, as a trainer process would. */
    private String addVersion(DraftRegistry registry, String parent, long seed) throws IOException {
        Path draft = models.resolve(ServerConfig.DRAFT_DIR);
        ModelConfig config = ModelConfig.read(draft);
        return registry.add(config, LlamaWeights.initialise(config, seed, 0.3), draft,
                new DraftManifest.Lineage(parent, 0, 0, null, null)).name();
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

    private static String request(String prompt, String extra) {
        return "{\"prompt\": " + ServerTest.quote(prompt) + ", \"max_tokens\": 40, \"temperature\": 0" + extra + "}";
    }

    private static String text(HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.body());
        return TestServer.json(response).at("/choices/0/text").asText();
    }

    private static String streamedText(String body) {
        StringBuilder text = new StringBuilder();
        for (JsonNode event : TestServer.events(body)) {
            if (event.get("choices").size() > 0) {
                text.append(event.at("/choices/0/text").asText());
            }
        }
        return text.toString();
    }

    private static List<String> logged(QueryLogReader log) {
        try {
            return log.after(0, 100).stream().map(stored -> stored.record().draftVersion()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> versions(JsonNode drafts) {
        List<String> names = new ArrayList<>();
        drafts.get("versions").forEach(version -> names.add(version.get("version").asText()));
        return names;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out after " + WAIT.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
