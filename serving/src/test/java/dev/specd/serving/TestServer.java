package dev.specd.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.specd.cli.ServeCommand;
import dev.specd.trainer.online.OnlineConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/** A server on 127.0.0.1 and an ephemeral port, and a java.net.http client for it. */
final class TestServer implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final AtomicInteger SERVERS = new AtomicInteger();

    final SpecdServer server;
    final ServerConfig config;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT).build();

    private TestServer(SpecdServer server, ServerConfig config) {
        this.server = server;
        this.config = config;
    }

    /** Starts {@code serve} on the models with the given extra options, and waits until it is ready. */
    static TestServer start(Path models, String... options) throws Exception {
        return start(config(models, options));
    }

    /** Starts a server with the given configuration, and waits until it is ready. */
    static TestServer start(ServerConfig config) throws Exception {
        TestServer test = new TestServer(SpecdServer.start(config), config);
        test.server.ready().get(60, TimeUnit.SECONDS);
        return test;
    }

    /** Starts a server with the given configuration and online-trainer settings, and waits until it is ready. */
    static TestServer start(ServerConfig config, OnlineConfig trainer) throws Exception {
        TestServer test = new TestServer(SpecdServer.start(config, trainer), config);
        test.server.ready().get(60, TimeUnit.SECONDS);
        return test;
    }

    /** A client for a server started elsewhere; closing it closes that server. */
    static TestServer of(SpecdServer server, ServerConfig config) {
        return new TestServer(server, config);
    }

    /**
     * serve's configuration for the models, with a fresh data directory beside them. The trainer is
     * off unless the options name it, so that tests not about it keep the draft they started with.
     */
    static ServerConfig config(Path models, String... options) {
        return config(models, models.resolveSibling("data-" + SERVERS.incrementAndGet()), options);
    }

    /** serve's configuration for the models and a given data directory (the trainer off unless named). */
    static ServerConfig config(Path models, Path dataDir, String... options) {
        Stream<String> trainer = Arrays.asList(options).contains("--trainer") ? Stream.of() : Stream.of("--trainer", "off");
        String[] args = Stream.of(Stream.of("--host", "127.0.0.1", "--port", "0", "--models", models.toString(),
                "--data-dir", dataDir.toString()), trainer, Arrays.stream(options)).flatMap(s -> s).toArray(String[]::new);
        return ServeCommand.parse(args);
    }

    int port() {
        return server.port();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    HttpResponse<String> get(String path, String... headers) {
        return send(request(path, headers).GET().build());
    }

    /** POSTs JSON (Content-Type application/json unless the headers name another). */
    HttpResponse<String> post(String path, String body, String... headers) {
        HttpRequest.Builder request = request(path, headers).POST(HttpRequest.BodyPublishers.ofString(body));
        if (Arrays.stream(headers).noneMatch(header -> header.equalsIgnoreCase("Content-Type"))) {
            request.header("Content-Type", "application/json");
        }
        return send(request.build());
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpRequest.Builder request(String path, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(TIMEOUT);
        if (headers.length > 0) {
            request.headers(headers);
        }
        return request;
    }

    HttpClient client() {
        return client;
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + response.body(), e);
        }
    }

    /**
     * The data of each server-sent event, as JSON; checks the framing ({@code data: ...} events
     * separated by blank lines) and that the stream ends with {@code data: [DONE]}.
     */
    static List<JsonNode> events(String body) {
        if (!body.endsWith("data: [DONE]\n\n")) {
            throw new AssertionError("the stream does not end with data: [DONE]:\n" + body);
        }
        List<JsonNode> events = new ArrayList<>();
        String[] blocks = body.substring(0, body.length() - "data: [DONE]\n\n".length()).split("\n\n", -1);
        for (int i = 0; i < blocks.length - 1; i++) {
            if (!blocks[i].startsWith("data: ") || blocks[i].contains("\n")) {
                throw new AssertionError("not a single data line: '" + blocks[i] + "'");
            }
            try {
                events.add(JSON.readTree(blocks[i].substring("data: ".length())));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (!blocks[blocks.length - 1].isEmpty()) {
            throw new AssertionError("trailing bytes before [DONE]: '" + blocks[blocks.length - 1] + "'");
        }
        return events;
    }

    /** The value of an unlabelled Prometheus sample, 0 when absent. */
    double metric(String name) {
        for (String line : get("/metrics").body().split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        return 0;
    }

    @Override
    public void close() {
        server.close();
    }
}
