package dev.specd.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API of drafts and the trainer: the admin key, clear 4xx errors, and the trainer's controls. */
class AdminApiTest {

    static final String ADMIN = "Bearer admin-secret";

    @TempDir
    static Path dir;
    static Path models;
    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        models = TinyModels.write(dir.resolve("tiny"), 64);
        server = TestServer.start(models, "--api-key", "api-secret", "--admin-key", "admin-secret");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void everyAdminEndpointNeedsTheAdminKey() {
        for (String[] endpoint : List.of(new String[] {"GET", "/admin/drafts"}, new String[] {"GET", "/admin/trainer"},
                new String[] {"POST", "/admin/trainer/pause"}, new String[] {"POST", "/admin/trainer/resume"},
                new String[] {"POST", "/admin/drafts/rollback"}, new String[] {"POST", "/admin/drafts/v0000/promote"})) {
            for (String authorization : new String[] {null, "Bearer api-secret", "Bearer wrong"}) {
                HttpResponse<String> response = send(endpoint[0], endpoint[1], authorization);
                assertEquals(401, response.statusCode(), endpoint[1] + " with " + authorization);
                assertEquals("invalid_api_key", TestServer.json(response).at("/error/code").asText());
            }
        }
        assertEquals(200, send("GET", "/admin/drafts", ADMIN).statusCode());
    }

    @Test
    void theDraftsListShowsEachVersionsManifestAndWhichServes() {
        JsonNode drafts = TestServer.json(send("GET", "/admin/drafts", ADMIN));
        assertEquals("v0000", drafts.get("serving").asText());
        assertEquals("v0000", drafts.get("current").asText());
        JsonNode base = drafts.at("/versions/0");
        assertEquals("v0000", base.get("version").asText());
        assertTrue(base.get("serving").asBoolean() && base.get("current").asBoolean());
        assertTrue(base.at("/manifest/parent").isNull(), base.toString());
        assertEquals(Set.of("config.json", "model.safetensors", "tokenizer.json"),
                Set.copyOf(iterable(base.at("/manifest/sha256").fieldNames())));
    }

    @Test
    void refusalsAreClear4xxErrors() {
        assertError(send("POST", "/admin/drafts/v0042/promote", ADMIN), 404, "draft_not_found", "v0042");
        assertError(send("POST", "/admin/drafts/latest/promote", ADMIN), 400, "invalid_value", "'latest'");
        assertError(send("POST", "/admin/drafts/rollback", ADMIN), 409, "no_parent", "v0000 is the base draft");
        assertError(send("GET", "/admin/trainer", ADMIN), 409, "trainer_off", "--trainer off");
        assertError(send("POST", "/admin/trainer/pause", ADMIN), 409, "trainer_off", "--trainer off");
        assertError(send("GET", "/admin/drafts/rollback", ADMIN), 405, "method_not_allowed", "GET");
        assertEquals(200, send("POST", "/admin/drafts/v0000/promote", ADMIN).statusCode(), "promoting what serves is a no-op");
    }

    @Test
    void withoutADraftModelThereAreNoDraftsAndNoTrainer() throws Exception {
        try (TestServer ngram = TestServer.start(models, "--drafter", "ngram", "--trainer", "in-process")) {
            assertError(ngram.get("/admin/drafts"), 409, "no_draft_model", "'ngram'");
            assertError(ngram.get("/admin/trainer"), 409, "no_draft_model", "'ngram'");
        }
    }

    @Test
    void theInProcessTrainerReportsItsStatusAndPausesAndResumes() throws Exception {
        try (TestServer training = TestServer.start(models, "--trainer", "in-process")) {
            awaitState(training, "WAITING_FOR_DATA"); // the query log holds nothing yet
            JsonNode status = TestServer.json(training.get("/admin/trainer"));
            assertEquals(0, status.get("steps").asLong());
            assertTrue(status.get("loss_ewma").isNull(), "NaN is written as null: " + status);
            assertEquals("v0000", status.get("serving_version").asText());
            assertEquals("v0000", status.at("/versions/0").asText());

            assertEquals(200, training.post("/admin/trainer/pause", "").statusCode());
            awaitState(training, "PAUSED");
            JsonNode resumed = TestServer.json(training.post("/admin/trainer/resume", ""));
            assertTrue(resumed.has("state"), resumed.toString());
            awaitState(training, "WAITING_FOR_DATA");
            String metrics = training.get("/metrics").body();
            assertTrue(metrics.contains("specd_trainer_steps_total 0.0"), metrics);
            assertTrue(metrics.contains("# HELP specd_trainer_serving_expected_acceptance "), metrics);
        }
    }

    private static void awaitState(TestServer server, String state) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        String last = null;
        while (System.nanoTime() - deadline < 0) {
            last = TestServer.json(server.get("/admin/trainer")).get("state").asText();
            if (last.equals(state)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the trainer is " + last + ", not " + state);
    }

    private static HttpResponse<String> send(String method, String path, String authorization) {
        HttpRequest.Builder request = server.request(path).method(method, HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return server.send(request.build());
    }

    private static void assertError(HttpResponse<String> response, int status, String code, String inMessage) {
        assertEquals(status, response.statusCode(), response.body());
        JsonNode error = TestServer.json(response).get("error");
        assertEquals(code, error.get("code").asText(), error.toString());
        assertTrue(error.get("message").asText().contains(inMessage), error.toString());
    }

    private static <T> List<T> iterable(Iterator<T> iterator) {
        List<T> list = new ArrayList<>();
        iterator.forEachRemaining(list::add);
        return list;
    }
}
