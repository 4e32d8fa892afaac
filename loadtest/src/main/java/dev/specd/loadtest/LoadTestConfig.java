package dev.specd.loadtest;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything a load test run needs. {@code specd loadtest} builds it from its options (and holds the
 * defaults); tests build it directly.
 *
 * @param url the server's base URL
 * @param allowRemote whether a non-loopback URL may be loaded
 * @param out the report directory
 * @param duration no request is sent after this
 * @param maxRequests no more requests than this are sent
 * @param drain how long requests still running at the end may take before they are cut off
 * @param prompts the JSONL prompt file that {@code phases} select from
 * @param phases one phase per entry: a domain, or domains joined by {@code +}
 * @param workloadFiles when not empty, one phase per file instead of {@code prompts} and {@code phases}
 * @param sampling the requests' sampling parameters unless a workload line overrides them
 * @param arms the arms to interleave
 * @param originalDraftVersion the draft version the original arm pins
 * @param requestTimeout the longest a single request may take
 * @param scrapeInterval how often {@code /metrics} is scraped
 * @param apiKey sent as a bearer token; null for none
 */
public record LoadTestConfig(URI url, boolean allowRemote, Path out, Duration duration, int maxRequests,
        Duration drain, Arrivals arrivals, long seed, Endpoint endpoint, Path prompts, List<String> phases,
        List<Path> workloadFiles, Sampling sampling, List<Arm> arms, String originalDraftVersion,
        Duration requestTimeout, Duration scrapeInterval, String apiKey) {

    public LoadTestConfig {
        if (!duration.isPositive()) {
            throw new IllegalArgumentException("the duration must be positive");
        }
        if (maxRequests < 1) {
            throw new IllegalArgumentException("max requests must be at least 1, not " + maxRequests);
        }
        if (drain.isNegative() || !requestTimeout.isPositive() || !scrapeInterval.isPositive()) {
            throw new IllegalArgumentException("the drain time must not be negative, the request timeout and the "
                    + "scrape interval must be positive");
        }
        if (arms.isEmpty()) {
            throw new IllegalArgumentException("at least one arm is needed");
        }
        if (workloadFiles.isEmpty() && phases.isEmpty()) {
            throw new IllegalArgumentException("at least one phase is needed");
        }
        url = URI.create(url.toString().endsWith("/") ? url.toString() : url + "/");
        phases = List.copyOf(phases);
        workloadFiles = List.copyOf(workloadFiles);
        arms = List.copyOf(arms.stream().distinct().toList());
    }

    /** The workload these options describe, read from its files. */
    Workload workload() throws IOException {
        return workloadFiles.isEmpty() ? Workload.ofDomains(prompts, phases, sampling)
                : Workload.ofFiles(workloadFiles, sampling);
    }
}
