package dev.specd.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in for specd on 127.0.0.1, speaking just enough of its API for the load generator:
 * streamed completions with usage and a speculative object, {@code /ready}, and {@code /metrics}
 * counters that move with what it streams. It refuses {@code speculative.draft_version} as the
 * current server does. With {@code hang}, streams send one chunk and then stall.
 */
final class FakeServer implements AutoCloseable {

    static final int TOKENS = 6;
    static final int DRAFTED = 8;
    static final int ACCEPTED = 5;

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final boolean hang;
    final AtomicLong drafted = new AtomicLong();
    final AtomicLong accepted = new AtomicLong();
    final AtomicLong generated = new AtomicLong();
    final AtomicLong completions = new AtomicLong();

    FakeServer(boolean hang) throws IOException {
        this.hang = hang;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(executor);
        server.createContext("/ready", exchange -> send(exchange, 200, "text/plain", "{\"status\":\"ready\"}"));
        server.createContext("/metrics", exchange -> send(exchange, 200, "text/plain", metrics()));
        server.createContext("/v1/completions", this::completion);
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private String metrics() {
        return "# TYPE specd_spec_draft_tokens_total counter\n"
                + "specd_spec_draft_tokens_total " + drafted.get() + ".0\n"
                + "specd_spec_accepted_tokens_total " + accepted.get() + ".0\n"
                + "specd_spec_drafts_total " + drafted.get() / 4 + ".0\n"
                + "specd_tokens_generation_total " + generated.get() + ".0\n"
                + "specd_draft_version 0.0\n";
    }

    private void completion(HttpExchange exchange) throws IOException {
        JsonNode body = Json.MAPPER.readTree(exchange.getRequestBody());
        if (body.path("speculative").has("draft_version")) {
            send(exchange, 400, "application/json", "{\"error\":{\"message\":\"Unknown field "
                    + "speculative.draft_version\",\"type\":\"invalid_request_error\","
                    + "\"param\":\"speculative.draft_version\",\"code\":\"invalid_value\"}}");
            return;
        }
        if (!body.path("stream").asBoolean()) {
            send(exchange, 200, "application/json", "{\"choices\":[{\"index\":0,\"text\":\"x\"}]}");
            return;
        }
        completions.incrementAndGet();
        boolean speculating = body.path("speculative").path("enabled").asBoolean(true);
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            for (int token = 0; token < TOKENS; token++) {
                generated.incrementAndGet();
                event(out, "{\"choices\":[{\"index\":0,\"text\":\"t\",\"finish_reason\":"
                        + (token == TOKENS - 1 ? "\"length\"" : "null") + "}]}");
                if (hang) {
                    Thread.sleep(30_000);
                }
                Thread.sleep(3);
            }
            if (speculating) {
                drafted.addAndGet(DRAFTED);
                accepted.addAndGet(ACCEPTED);
            }
            event(out, "{\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":" + TOKENS
                    + ",\"total_tokens\":" + (TOKENS + 3) + "},\"speculative\":{\"drafted_tokens\":"
                    + (speculating ? DRAFTED : 0) + ",\"accepted_tokens\":" + (speculating ? ACCEPTED : 0)
                    + ",\"acceptance_rate\":" + (speculating ? (double) ACCEPTED / DRAFTED : null)
                    + ",\"mean_accepted_length\":null,\"draft_version\":\"v0000\",\"drafter\":\"model\"}}");
            event(out, "[DONE]");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // The client went away (the load test cut the stream off): nothing more to send.
        }
    }

    private static void event(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
