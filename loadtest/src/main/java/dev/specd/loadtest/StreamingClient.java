package dev.specd.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends one streaming completion per call and measures it as a client sees it: each line is
 * timestamped as it arrives. Thread-safe; each call blocks its (virtual) thread.
 */
final class StreamingClient {

    private final HttpClient http;
    private final URI base;
    private final Endpoint endpoint;
    private final String apiKey;
    private final String originalDraftVersion;
    private final Duration requestTimeout;

    StreamingClient(HttpClient http, URI base, Endpoint endpoint, String apiKey, String originalDraftVersion,
            Duration requestTimeout) {
        this.http = http;
        this.base = base;
        this.endpoint = endpoint;
        this.apiKey = apiKey;
        this.originalDraftVersion = originalDraftVersion;
        this.requestTimeout = requestTimeout;
    }

    /** The request's JSON body: the arm's speculation field, the domain tag, a stream with usage. */
    ObjectNode body(Prompt prompt, Arm arm) {
        ObjectNode body = endpoint.body(prompt);
        body.put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        body.putObject("metadata").put("domain", prompt.domain()).put("loadtest_arm", arm.label());
        arm.addSpeculativeField(body, originalDraftVersion);
        return body;
    }

    /** Sends the prompt in the arm and waits for the end of its stream, at most the request timeout. */
    RequestResult send(RequestResult.Sent sent, Prompt prompt, InFlight inFlight) {
        HttpRequest request = post(endpoint.path(), body(prompt, sent.arm()));
        long sentNanos = System.nanoTime();
        StreamTally tally = new StreamTally(sentNanos);
        SseLines lines = new SseLines(tally);
        HttpResponse.BodyHandler<String> handler = info -> info.statusCode() == 200
                ? HttpResponse.BodySubscribers.fromLineSubscriber(lines, subscriber -> null, StandardCharsets.UTF_8, null)
                : HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8);
        CompletableFuture<HttpResponse<String>> exchange = http.sendAsync(request, handler);
        inFlight.add(exchange);
        try {
            HttpResponse<String> response = exchange.get(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
            if (response.statusCode() != 200) {
                return sent.failed(Outcome.HTTP_ERROR, response.statusCode(), errorMessage(response.body()));
            }
            return tally.result(sent, response.statusCode());
        } catch (CancellationException | ExecutionException e) {
            // Cancelling the exchange surfaces either way, depending on where the client was in it.
            return inFlight.cutOff() ? sent.failed(Outcome.CANCELLED, 0, "still running when the drain time ran out")
                    : sent.failed(Outcome.FAILED, 0, String.valueOf(e instanceof ExecutionException ? e.getCause() : e));
        } catch (TimeoutException e) {
            exchange.cancel(true);
            return sent.failed(Outcome.FAILED, 0, "no end of stream within " + requestTimeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.cancel(true);
            return sent.failed(Outcome.CANCELLED, 0, "interrupted");
        } finally {
            inFlight.remove(exchange);
        }
    }

    /**
     * Whether the server takes the arm's request field: a one-token request kept out of the query
     * log ({@code store: false}). Returns the server's reason when it refuses the field (400).
     *
     * @throws IOException when the server cannot be reached or fails otherwise
     */
    Optional<String> probe(Arm arm, Prompt prompt) throws IOException, InterruptedException {
        ObjectNode body = endpoint.body(new Prompt(prompt.domain(), prompt.text(),
                new Sampling(1, 0, null, null)));
        body.put("store", false);
        arm.addSpeculativeField(body, originalDraftVersion);
        HttpResponse<String> response = http.send(post(endpoint.path(), body), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
            return Optional.empty();
        }
        if (response.statusCode() == 400) {
            return Optional.of(errorMessage(response.body()));
        }
        throw new IOException("the server answered " + response.statusCode() + " to a request in arm " + arm.label()
                + ": " + errorMessage(response.body()));
    }

    /** GET of a path, with the API key. */
    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(authorised(HttpRequest.newBuilder(resolve(path))).timeout(requestTimeout).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest post(String path, ObjectNode body) {
        return authorised(HttpRequest.newBuilder(resolve(path)))
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
    }

    /** The path under the base URL, which may itself have a path (a proxy prefix). */
    private URI resolve(String path) {
        return base.resolve(path.startsWith("/") ? path.substring(1) : path);
    }

    private HttpRequest.Builder authorised(HttpRequest.Builder request) {
        return apiKey == null ? request : request.header("Authorization", "Bearer " + apiKey);
    }

    /** The message of an OpenAI-style error body, else the body itself. */
    static String errorMessage(String body) {
        try {
            JsonNode error = Json.MAPPER.readTree(body).path("error");
            if (error.hasNonNull("message")) {
                return error.get("message").asText();
            }
        } catch (IOException e) {
            // Not JSON: the body itself says what went wrong.
        }
        return body.length() <= 300 ? body : body.substring(0, 300) + "...";
    }

    /** Feeds each line of a stream, timestamped on arrival, to the event parser and the tally. */
    private static final class SseLines implements Flow.Subscriber<String> {

        private final ServerSentEvents events = new ServerSentEvents();
        private final StreamTally tally;

        SseLines(StreamTally tally) {
            this.tally = tally;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String line) {
            long now = System.nanoTime();
            events.line(line).ifPresent(data -> tally.event(data, now));
        }

        @Override
        public void onError(Throwable failure) {
            // The exchange's future fails with the same cause; send() reports it.
        }

        @Override
        public void onComplete() {
            // The exchange's future completes; send() reads the tally then.
        }
    }
}
