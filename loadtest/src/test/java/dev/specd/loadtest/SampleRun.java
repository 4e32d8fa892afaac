package dev.specd.loadtest;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A made-up run: configuration, results and scrapes whose summary is known. */
final class SampleRun {

    private SampleRun() {}

    static LoadTestConfig config(URI url, Path out, Duration duration, int maxRequests, Arrivals arrivals) {
        return new LoadTestConfig(url, false, out, duration, maxRequests, Duration.ofSeconds(5), arrivals, 1,
                Endpoint.COMPLETIONS, Fixtures.heldout(), List.of("english", "python"), List.of(), Fixtures.SAMPLING,
                List.of(Arm.OFF, Arm.ORIGINAL, Arm.ADAPTIVE), "v0000", Duration.ofSeconds(30),
                Duration.ofMillis(200), null);
    }

    static LoadTestConfig config(Path out) {
        return config(URI.create("http://127.0.0.1:8080"), out, Duration.ofSeconds(10), 100,
                new Arrivals.ClosedLoop(2, Duration.ZERO));
    }

    /**
     * 40 requests over 10 s, alternating off and adaptive, half in each phase; the adapting draft
     * decodes at 10 ms per token and moves from v0000 to v0001 at 6 s, speculation off at 20 ms; one
     * request failed with 503. Each adaptive response drafted 10 tokens and accepted 6.
     */
    static List<RequestResult> results() {
        List<RequestResult> results = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            double start = i * 0.25;
            int phase = i < 20 ? 0 : 1;
            String domain = phase == 0 ? "english" : "python";
            RequestResult.Sent sent = new RequestResult.Sent(i, i % 2 == 0 ? Arm.ADAPTIVE : Arm.OFF, phase, domain, start);
            if (i == 7) {
                results.add(sent.failed(Outcome.HTTP_ERROR, 503, "shutting down"));
            } else if (sent.arm() == Arm.ADAPTIVE) {
                Speculative speculative = new Speculative(10, 6, 0.6, 2.2, start < 6 ? "v0000" : "v0001", "model");
                results.add(sent.result(Outcome.OK, 200, null, 20.0, 10.0, 100.0, 9, 5, 4, "length", speculative));
            } else {
                Speculative none = new Speculative(0, 0, null, null, "v0000", "model");
                results.add(sent.result(Outcome.OK, 200, null, 20.0, 20.0, 180.0, 9, 5, 9, "length", none));
            }
        }
        return results;
    }

    /** Scrapes every second; counters grow by what the results report, the draft version gauge turns 1 at 6 s. */
    static List<MetricsSnapshot> snapshots(List<RequestResult> results) {
        List<MetricsSnapshot> snapshots = new ArrayList<>();
        for (int second = 0; second <= 11; second++) {
            double at = second;
            long drafted = 1000;
            long accepted = 500;
            long generated = 7000;
            for (RequestResult result : results) {
                if (result.ok() && result.endS() <= at) {
                    drafted += result.speculative().draftedTokens();
                    accepted += result.speculative().acceptedTokens();
                    generated += result.outputTokens();
                }
            }
            snapshots.add(new MetricsSnapshot(at, Map.of(
                    ServerMeters.DRAFTS, drafted / 4.0,
                    ServerMeters.DRAFT_TOKENS, (double) drafted,
                    ServerMeters.ACCEPTED_TOKENS, (double) accepted,
                    ServerMeters.GENERATION_TOKENS, (double) generated,
                    ServerMeters.DRAFT_VERSION, at < 6 ? 0.0 : 1.0)));
        }
        return snapshots;
    }

    static Summary summary(Path out) throws IOException {
        List<RequestResult> results = results();
        LoadTestConfig config = config(out);
        return Summary.of(config, config.workload(), new Summary.RunFacts("2025-01-01T00:00:00Z", 11.0,
                Map.of(Arm.ORIGINAL, "Unknown field speculative.draft_version"), 0), results, snapshots(results));
    }
}
