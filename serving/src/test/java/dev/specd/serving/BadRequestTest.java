package dev.specd.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A table of bad requests, each answered with the right status and an OpenAI error object, after
 * which the server still serves. The server requires API keys, so authentication is in the table.
 */
class BadRequestTest {

    private static final String API_KEY = "sk-test";
    private static final String ADMIN_KEY = "admin-test";
    private static final int MAX_BODY = 4096;
    private static final String OK = "{\"prompt\": \"hi\", \"max_tokens\": 2}";

    @TempDir
    static Path dir;
    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(TinyModels.write(dir.resolve("tiny"), 64), "--max-batch", "2",
                "--api-key", API_KEY, "--admin-key", ADMIN_KEY, "--max-body", Integer.toString(MAX_BODY));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /**
     * @param param the expected error param, or null when none is expected
     */
    record Case(String name, String method, String path, String contentType, String key, String body, int status,
            String code, String param) {}

    static Case completions(String name, String body, int status, String code, String param) {
        return new Case(name, "POST", "/v1/completions", "application/json", API_KEY, body, status, code, param);
    }

    static Case chat(String name, String body, int status, String code, String param) {
        return new Case(name, "POST", "/v1/chat/completions", "application/json", API_KEY, body, status, code, param);
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>(List.of(
                completions("malformed JSON", "{\"prompt\": ", 400, "invalid_value", null),
                completions("not an object", "[1, 2]", 400, "invalid_value", null),
                completions("empty body", "", 400, "invalid_value", null),
                completions("trailing garbage", OK + " x", 400, "invalid_value", null),
                completions("duplicate key", "{\"prompt\": \"a\", \"prompt\": \"b\"}", 400, "invalid_value", null),
                completions("unknown field", "{\"prompt\": \"a\", \"frobnicate\": 1}", 400, "invalid_value", "frobnicate"),
                completions("max_tokens as a string", "{\"prompt\": \"a\", \"max_tokens\": \"5\"}", 400, "invalid_value", "max_tokens"),
                completions("max_tokens fractional", "{\"prompt\": \"a\", \"max_tokens\": 1.5}", 400, "invalid_value", "max_tokens"),
                completions("max_tokens overflowing", "{\"prompt\": \"a\", \"max_tokens\": 99999999999}", 400, "invalid_value", "max_tokens"),
                completions("max_tokens zero", "{\"prompt\": \"a\", \"max_tokens\": 0}", 400, "invalid_value", "max_tokens"),
                completions("temperature too high", "{\"prompt\": \"a\", \"temperature\": 2.5}", 400, "invalid_value", "temperature"),
                completions("top_p zero", "{\"prompt\": \"a\", \"top_p\": 0}", 400, "invalid_value", "top_p"),
                completions("top_k negative", "{\"prompt\": \"a\", \"top_k\": -1}", 400, "invalid_value", "top_k"),
                completions("n zero", "{\"prompt\": \"a\", \"n\": 0}", 400, "invalid_value", "n"),
                completions("n too large", "{\"prompt\": \"a\", \"n\": 17}", 400, "invalid_value", "n"),
                completions("five stops", "{\"prompt\": \"a\", \"stop\": [\"1\", \"2\", \"3\", \"4\", \"5\"]}", 400, "invalid_value", "stop"),
                completions("empty stop", "{\"prompt\": \"a\", \"stop\": \"\"}", 400, "invalid_value", "stop"),
                completions("stop as a number", "{\"prompt\": \"a\", \"stop\": 5}", 400, "invalid_value", "stop[0]"),
                completions("seed as a string", "{\"prompt\": \"a\", \"seed\": \"x\"}", 400, "invalid_value", "seed"),
                completions("stream as a string", "{\"prompt\": \"a\", \"stream\": \"yes\"}", 400, "invalid_value", "stream"),
                completions("store as a number", "{\"prompt\": \"a\", \"store\": 0}", 400, "invalid_value", "store"),
                completions("no prompt", "{\"max_tokens\": 3}", 400, "invalid_value", "prompt"),
                completions("prompt a number", "{\"prompt\": 5}", 400, "invalid_value", "prompt"),
                completions("empty prompt list", "{\"prompt\": []}", 400, "invalid_value", "prompt"),
                completions("token id out of range", "{\"prompt\": [1, 999999]}", 400, "invalid_value", "prompt"),
                completions("prompt + max_tokens past the context", "{\"prompt\": \"a\", \"max_tokens\": 64}", 400,
                        "context_length_exceeded", "prompt"),
                completions("unknown model", "{\"model\": \"gpt-4\", \"prompt\": \"a\"}", 404, "model_not_found", "model"),
                completions("a penalty", "{\"prompt\": \"a\", \"frequency_penalty\": 0.5}", 400, "unsupported_parameter",
                        "frequency_penalty"),
                completions("logprobs", "{\"prompt\": \"a\", \"logprobs\": 2}", 400, "unsupported_parameter", "logprobs"),
                completions("echo", "{\"prompt\": \"a\", \"echo\": true}", 400, "unsupported_parameter", "echo"),
                completions("stream_options without stream", "{\"prompt\": \"a\", \"stream_options\": {\"include_usage\": true}}",
                        400, "invalid_value", "stream_options"),
                completions("draft tokens past the server's maximum",
                        "{\"prompt\": \"a\", \"speculative\": {\"max_draft_tokens\": 99}}", 400, "invalid_value",
                        "speculative.max_draft_tokens"),
                completions("metadata value a number", "{\"prompt\": \"a\", \"metadata\": {\"k\": 1}}", 400, "invalid_value",
                        "metadata.k"),
                completions("body too large", "{\"prompt\": \"" + "a".repeat(MAX_BODY) + "\"}", 413, "request_too_large", null),
                chat("no messages", "{\"max_tokens\": 3}", 400, "invalid_value", "messages"),
                chat("empty messages", "{\"messages\": []}", 400, "invalid_value", "messages"),
                chat("unknown role", "{\"messages\": [{\"role\": \"tool\", \"content\": \"x\"}]}", 400, "invalid_value",
                        "messages[0].role"),
                chat("content a number", "{\"messages\": [{\"role\": \"user\", \"content\": 5}]}", 400, "invalid_value",
                        "messages[0].content"),
                chat("image content part", "{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\"}]}]}",
                        400, "invalid_value", "messages[0].content"),
                chat("both max token fields", "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"max_tokens\": 2, "
                        + "\"max_completion_tokens\": 2}", 400, "invalid_value", "max_tokens"),
                new Case("no API key", "POST", "/v1/completions", "application/json", null, OK, 401, "invalid_api_key", null),
                new Case("wrong API key", "GET", "/v1/models", null, "sk-wrong", null, 401, "invalid_api_key", null),
                new Case("API key on the admin API", "GET", "/admin/status", null, API_KEY, null, 401, "invalid_api_key", null),
                new Case("text/plain body", "POST", "/v1/completions", "text/plain", API_KEY, OK, 415, "unsupported_media_type", null),
                new Case("no content type", "POST", "/v1/completions", null, API_KEY, OK, 415, "unsupported_media_type", null),
                new Case("unknown route", "GET", "/v2/everything", null, API_KEY, null, 404, "not_found", null),
                new Case("unknown /v1 route", "POST", "/v1/embeddings", "application/json", API_KEY, "{}", 404, "not_found", null),
                new Case("wrong method", "GET", "/v1/completions", null, API_KEY, null, 405, "method_not_allowed", null)));
        return cases;
    }

    @Test
    void everyBadRequestGetsItsStatusAndAnOpenAiErrorAndTheServerStillServes() {
        List<String> failures = new ArrayList<>();
        for (Case c : cases()) {
            HttpRequest.Builder request = server.request(c.path());
            if (c.contentType() != null) {
                request.header("Content-Type", c.contentType());
            }
            if (c.key() != null) {
                request.header("Authorization", "Bearer " + c.key());
            }
            request.method(c.method(), c.body() == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(c.body()));
            HttpResponse<String> response = server.send(request.build());
            String problem = check(c, response);
            if (problem != null) {
                failures.add(c.name() + ": " + problem + " — " + response.statusCode() + " " + response.body());
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));

        HttpResponse<String> ok = server.post("/v1/completions", OK, "Authorization", "Bearer " + API_KEY);
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals(200, server.get("/admin/status", "Authorization", "Bearer " + ADMIN_KEY).statusCode());
    }

    @Test
    void anUnauthorizedRequestIsToldHowToAuthenticate() {
        HttpResponse<String> unauthorized = server.get("/v1/models");
        assertEquals("Bearer", unauthorized.headers().firstValue("WWW-Authenticate").orElseThrow());
        assertFalse(unauthorized.headers().firstValue("Retry-After").isPresent());
    }

    private static String check(Case c, HttpResponse<String> response) {
        if (response.statusCode() != c.status()) {
            return "expected status " + c.status();
        }
        if (!response.headers().firstValue("Content-Type").orElse("").startsWith("application/json")) {
            return "not JSON";
        }
        JsonNode error = TestServer.json(response).get("error");
        if (error == null || !error.has("message") || !error.has("type") || !error.has("param") || !error.has("code")) {
            return "not an OpenAI error object";
        }
        if (!c.code().equals(error.get("code").asText())) {
            return "expected code " + c.code();
        }
        if (c.param() != null && !c.param().equals(error.get("param").asText())) {
            return "expected param " + c.param();
        }
        if (error.get("message").asText().isBlank()) {
            return "empty message";
        }
        return null;
    }
}
