package dev.specd.serving;

import dev.specd.serving.api.ApiError;
import dev.specd.serving.api.Json;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

/** Writes whole JSON responses and OpenAI-style errors. */
final class JsonResponses {

    static final String JSON = "application/json";
    /** Seconds a client should wait before retrying a 429 or 503. */
    static final int RETRY_AFTER_SECONDS = 1;

    private JsonResponses() {}

    static void ok(HttpServerResponse response, Object body) {
        send(response, 200, body);
    }

    static void error(HttpServerResponse response, ApiError error) {
        if (error.retryable()) {
            response.putHeader(HttpHeaders.RETRY_AFTER, Integer.toString(RETRY_AFTER_SECONDS));
        }
        if (error.status() == 401) {
            response.putHeader("WWW-Authenticate", "Bearer");
        }
        send(response, error.status(), error.body());
    }

    private static void send(HttpServerResponse response, int status, Object body) {
        if (response.ended() || response.closed() || response.headWritten()) {
            return;
        }
        response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(Json.write(body));
    }
}
