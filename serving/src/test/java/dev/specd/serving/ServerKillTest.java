package dev.specd.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.specd.cli.SpecdCommand;
import dev.specd.querylog.QueryLogConfig;
import dev.specd.querylog.QueryLogReader;
import dev.specd.querylog.QueryRecord;
import dev.specd.querylog.StoredQuery;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code specd serve} in a child JVM, killed with SIGKILL while clients stream and wait on completions:
 * the query log it leaves passes SQLite's integrity check, holds only whole records, keeps every record the
 * server had reported written and lacks no more completed requests than the writer's queue can hold; a
 * server started (in this JVM) on the same data directory serves and appends to it.
 */
// destroyForcibly() is SIGKILL only on Unix-likes.
@EnabledOnOs({OS.LINUX, OS.MAC})
class ServerKillTest {

    private static final int CONTEXT = 256;
    private static final int CLIENTS = 6;
    /** Far more than are served before the kill: the clients never run out while the server lives. */
    private static final int REQUESTS = 400;
    private static final int COMPLETED_BEFORE_KILL = 20;
    private static final Duration STARTUP = Duration.ofSeconds(60);
    /** Exit status of a JVM child that died of a signal: 128 + SIGKILL (9). */
    private static final int KILLED_BY_SIGKILL = 128 + 9;
    private static final Pattern READY = Pattern.compile("ready on http://127\\.0\\.0\\.1:(\\d+)");
    /** Where serve keeps its query log in the data directory (serve --data-dir documents the name). */
    private static final String QUERY_LOG_FILE = "query-log.db";

    @TempDir
    Path dir;
    private Process child;

    @AfterEach
    void killChild() throws InterruptedException {
        if (child != null) {
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aServerKilledUnderLoadLeavesAnIntactLogAndStartsAgainOnIt() throws Exception {
        Path models = TinyModels.write(dir.resolve("tiny"), CONTEXT);
        Path dataDir = dir.resolve("data");
        int port = startChildServer(models, dataDir);

        Traffic traffic = new Traffic(port);
        long committedBeforeKill;
        int inFlightAtKill;
        try (traffic) {
            traffic.awaitCompleted(COMPLETED_BEFORE_KILL);
            // Else the clients would go on sending to the dead server, and the requests sent would count those.
            traffic.stopSending();
            committedBeforeKill = traffic.recordsWritten();
            inFlightAtKill = traffic.inFlight();
            child.destroyForcibly();
            assertTrue(child.waitFor(10, TimeUnit.SECONDS), "the killed server did not exit");
        }
        assertEquals(KILLED_BY_SIGKILL, child.exitValue(), "the server did not die of SIGKILL");
        assertTrue(inFlightAtKill > 0, "no request was in flight when the server was killed");

        assertEquals("ok", integrityCheck(dataDir));
        List<StoredQuery> survivors = readAll(dataDir);
        Set<String> loggedIds = new HashSet<>();
        for (StoredQuery stored : survivors) {
            QueryRecord record = stored.record();
            assertTrue(loggedIds.add(record.requestId()), "logged twice: " + record);
            assertTrue(record.promptTokens().length > 0, "no prompt: " + record);
            // The tiny models have no end-of-text token: every generation that was logged ran to max_tokens.
            assertEquals(record.maxTokens(), record.outputTokens().length, "partial output: " + record);
        }
        assertTrue(survivors.size() >= committedBeforeKill, survivors.size()
                + " records survived but the server had reported " + committedBeforeKill + " written");
        Set<String> completed = traffic.completedIds();
        Set<String> lost = new HashSet<>(completed);
        lost.removeAll(loggedIds);
        // Only records still queued for the writer may die with the process; committed ones must survive.
        int queueCapacity = QueryLogConfig.defaults().queueCapacity();
        assertTrue(lost.size() <= queueCapacity, lost.size() + " of " + completed.size()
                + " completed requests are missing from the log, more than the writer's queue of " + queueCapacity);
        assertTrue(survivors.size() <= traffic.sent(), survivors.size() + " records for " + traffic.sent() + " requests");

        try (TestServer restarted = TestServer.start(TestServer.config(models, dataDir))) {
            HttpResponse<String> response = restarted.post("/v1/completions", completion(0, false));
            assertEquals(200, response.statusCode(), response.body());
            String id = TestServer.json(response).get("id").asText();
            List<StoredQuery> appended = awaitRecordsAfter(dataDir, survivors.isEmpty() ? 0 : survivors.getLast().id());
            assertEquals(1, appended.size(), "records appended after the restart: " + appended);
            assertEquals(id, appended.getFirst().record().requestId());
        }
        assertEquals(survivors.size() + 1, readAll(dataDir).size());
    }

    /** Starts {@code specd serve} in a child JVM on a port it picks and waits until it is ready; returns the port. */
    private int startChildServer(Path models, Path dataDir) throws IOException, InterruptedException {
        Path log = dir.resolve("server-output.txt");
        child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "--enable-native-access=ALL-UNNAMED",
                        "--add-modules", "jdk.incubator.vector",
                        "-Xmx1g",
                        // The readiness line is what tells the port; keep it whatever the logging configuration says.
                        "-Dorg.slf4j.simpleLogger.log.dev.specd.serving.SpecdServer=info",
                        "-cp", System.getProperty("java.class.path"),
                        SpecdCommand.class.getName(),
                        "serve", "--host", "127.0.0.1", "--port", "0", "--models", models.toString(),
                        "--data-dir", dataDir.toString(), "--trainer", "off", "--max-batch", "4")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline && child.isAlive()) {
            Matcher ready = READY.matcher(Files.readString(log));
            if (ready.find()) {
                return Integer.parseInt(ready.group(1));
            }
            Thread.sleep(50);
        }
        String exit = child.isAlive() ? "did not become ready within " + STARTUP : "exited with status " + child.exitValue();
        throw new AssertionError("the server " + exit + ":\n" + Files.readString(log));
    }

    /** Request i: a completion of 16 to 47 tokens, streamed or whole. */
    private static String completion(int i, boolean stream) {
        return "{\"model\": \"tiny\", \"prompt\": \"request number " + i + "\", \"max_tokens\": " + (16 + i % 32)
                + ", \"temperature\": 0, \"stream\": " + stream + "}";
    }

    private static String integrityCheck(Path dataDir) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(QUERY_LOG_FILE));
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("PRAGMA integrity_check")) {
            result.next();
            return result.getString(1);
        }
    }

    /** Every record, decoded: a record that does not decode fails the read. */
    private static List<StoredQuery> readAll(Path dataDir) throws IOException {
        try (QueryLogReader reader = QueryLogReader.open(dataDir)) {
            List<StoredQuery> all = new ArrayList<>();
            for (List<StoredQuery> page = reader.after(0, 100); !page.isEmpty(); page = reader.after(page.getLast().id(), 100)) {
                all.addAll(page);
            }
            return all;
        }
    }

    /** The records after the given id, once there are any: the writer commits shortly after a response. */
    private static List<StoredQuery> awaitRecordsAfter(Path dataDir, long id) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        try (QueryLogReader reader = QueryLogReader.open(dataDir)) {
            for (List<StoredQuery> records = reader.after(id, 100); ; records = reader.after(id, 100)) {
                if (!records.isEmpty() || System.nanoTime() > deadline) {
                    return records;
                }
                Thread.sleep(20);
            }
        }
    }

    /**
     * Client threads sending completions, every other one streamed, until the requests run out or
     * sending stops. A request the server dies during fails with an IOException and is not completed.
     */
    private static final class Traffic implements AutoCloseable {

        private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        private final URI uri;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger sent = new AtomicInteger();
        private final AtomicInteger ended = new AtomicInteger();
        private final Set<String> completedIds = ConcurrentHashMap.newKeySet();
        private final ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        private final List<Future<?>> running = new ArrayList<>();
        private volatile boolean stopped;

        Traffic(int port) {
            uri = URI.create("http://127.0.0.1:" + port + "/v1/completions");
            for (int i = 0; i < CLIENTS; i++) {
                running.add(clients.submit(() -> {
                    sendUntilDone();
                    return null;
                }));
            }
        }

        private void sendUntilDone() throws InterruptedException {
            for (int i = next.getAndIncrement(); i < REQUESTS && !stopped; i = next.getAndIncrement()) {
                boolean stream = i % 2 == 0;
                HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(completion(i, stream))).build();
                sent.incrementAndGet();
                try {
                    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, response.statusCode(), response.body());
                    JsonNode body = stream ? TestServer.events(response.body()).getFirst() : TestServer.json(response);
                    completedIds.add(body.get("id").asText());
                } catch (IOException e) {
                    // The server was killed before the response was whole.
                } finally {
                    ended.incrementAndGet();
                }
            }
        }

        void awaitCompleted(int count) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (completedIds.size() < count) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("only " + completedIds.size() + " of " + sent() + " requests completed");
                }
                for (Future<?> client : running) {
                    if (client.isDone()) {
                        client.get(); // a client that failed says why
                    }
                }
                Thread.sleep(5);
            }
        }

        /** The query-log records the server reports committed, from its metrics. */
        long recordsWritten() throws IOException, InterruptedException {
            HttpRequest request = HttpRequest.newBuilder(uri.resolve("/metrics")).timeout(Duration.ofSeconds(10)).build();
            String metrics = client.send(request, HttpResponse.BodyHandlers.ofString()).body();
            String name = "specd_querylog_records_written_total ";
            return metrics.lines().filter(line -> line.startsWith(name))
                    .mapToLong(line -> (long) Double.parseDouble(line.substring(name.length()))).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + name + "in\n" + metrics));
        }

        /** Requests in flight go on; no more are sent. */
        void stopSending() {
            stopped = true;
        }

        int inFlight() {
            return sent.get() - ended.get();
        }

        int sent() {
            return sent.get();
        }

        /** Ids of the responses received whole; final once the traffic is closed. */
        Set<String> completedIds() {
            return completedIds;
        }

        /**
         * Lets the clients finish their requests in flight (at once when the server is dead) and send no more;
         * rethrows what a client failed with other than a dead server.
         */
        @Override
        public void close() throws InterruptedException, ExecutionException {
            stopSending();
            clients.shutdown();
            assertTrue(clients.awaitTermination(40, TimeUnit.SECONDS), "the clients did not stop");
            for (Future<?> client : running) {
                client.get();
            }
        }
    }
}
