package dev.specd.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Whole runs against {@link FakeServer}: how the generator stops, skips arms and cuts off what hangs. */
@Timeout(120)
class LoadTestTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(stderr, true, StandardCharsets.UTF_8);

    private Summary run(LoadTestConfig config) throws Exception {
        return new LoadTest(config, log, new ProgressBar(log, false, Duration.ofMillis(500))).run();
    }

    @Test
    void closedLoopStopsAtItsCountAndAgreesWithTheServer() throws Exception {
        try (FakeServer server = new FakeServer(false)) {
            Summary summary = run(SampleRun.config(server.url(), dir, Duration.ofSeconds(60), 24,
                    new Arrivals.ClosedLoop(3, Duration.ofMillis(5))));
            ReportTest.checkReport(dir, 24);
            assertEquals(24, summary.totals().ok());
            assertEquals(24, server.completions.get(), "the probes are not streams; the run sent 24");
            assertTrue(summary.run().unsupportedArms().get(Arm.ORIGINAL).contains("draft_version"));
            assertTrue(stderr.toString(StandardCharsets.UTF_8).contains("arm original is not supported"));
            List<RequestResult> results = results();
            assertEquals(Set.of(Arm.OFF, Arm.ADAPTIVE), results.stream().map(RequestResult::arm)
                    .collect(Collectors.toSet()));
            assertEquals(12, results.stream().filter(result -> result.arm() == Arm.ADAPTIVE).count(),
                    "two arms interleave evenly");
            assertEquals(Set.of(0, 1), results.stream().map(RequestResult::phase).collect(Collectors.toSet()));
            assertEquals(12L * FakeServer.DRAFTED, summary.server().draftedTokens());
            assertTrue(summary.agreement().consistent(), summary.agreement().toString());
            assertTrue(stderr.toString(StandardCharsets.UTF_8).contains("loadtest ["), "a progress line");
        }
    }

    @Test
    void openLoopStopsAtTheEndOfItsDuration() throws Exception {
        try (FakeServer server = new FakeServer(false)) {
            long start = System.nanoTime();
            Summary summary = run(SampleRun.config(server.url(), dir, Duration.ofMillis(1500), 10_000,
                    new Arrivals.OpenLoop(20)));
            double seconds = (System.nanoTime() - start) / 1e9;
            int requests = summary.totals().requests();
            assertTrue(requests > 5 && requests < 80, requests + " requests in 1.5 s at 20/s");
            assertTrue(seconds < 20, "took " + seconds + " s");
            assertEquals(requests, summary.totals().ok());
            assertTrue(summary.agreement().consistent(), summary.agreement().toString());
        }
    }

    @Test
    void streamsStillRunningAfterTheDrainAreCutOff() throws Exception {
        try (FakeServer server = new FakeServer(true)) {
            LoadTestConfig base = SampleRun.config(server.url(), dir, Duration.ofMillis(500), 4,
                    new Arrivals.ClosedLoop(2, Duration.ZERO));
            LoadTestConfig config = new LoadTestConfig(base.url(), false, dir, base.duration(), base.maxRequests(),
                    Duration.ofSeconds(1), base.arrivals(), 1, Endpoint.COMPLETIONS, base.prompts(), base.phases(),
                    List.of(), base.sampling(), base.arms(), "v0000", Duration.ofSeconds(60), Duration.ofMillis(200),
                    null);
            long start = System.nanoTime();
            Summary summary = run(config);
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(seconds < 15, "a hung server held the run for " + seconds + " s");
            assertEquals(2, summary.totals().cancelled(), "each user's one request was cut off");
            assertFalse(summary.agreement().allRequestsEnded());
            ReportTest.checkReport(dir, 2);
        }
    }

    @Test
    void aRemoteUrlIsRefusedBeforeAnythingIsSent() {
        LoadTestConfig config = SampleRun.config(URI.create("http://192.0.2.1:8080"), dir, Duration.ofSeconds(1), 1,
                new Arrivals.ClosedLoop(1, Duration.ZERO));
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> run(config));
        assertTrue(refused.getMessage().contains("--allow-remote"));
    }

    private List<RequestResult> results() throws IOException {
        List<RequestResult> results = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve(Report.REQUESTS))) {
            results.add(Json.MAPPER.readValue(line, RequestResult.class));
        }
        return results;
    }
}
