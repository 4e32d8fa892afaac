package dev.specd.loadtest;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Scrapes the server's {@code /metrics} on an interval, to follow the draft version and the
 * server's own acceptance counters through the run. The first scrape is taken before the first
 * request and the last after the last response, so that their difference covers exactly the load
 * test's traffic.
 */
final class MetricsScraper {

    private final StreamingClient client;
    private final RunClock clock;
    private final Duration interval;
    private final int maxScrapes;
    private final List<MetricsSnapshot> snapshots = new ArrayList<>();
    private final AtomicInteger failures = new AtomicInteger();
    private Thread thread;

    /** @param maxScrapes bounds the background loop even if it is never closed */
    MetricsScraper(StreamingClient client, RunClock clock, Duration interval, int maxScrapes) {
        this.client = client;
        this.clock = clock;
        this.interval = interval;
        this.maxScrapes = maxScrapes;
    }

    /** One scrape now, recorded. */
    MetricsSnapshot scrape() throws IOException, InterruptedException {
        HttpResponse<String> response = client.get("/metrics");
        if (response.statusCode() != 200) {
            throw new IOException("GET /metrics answered " + response.statusCode());
        }
        MetricsSnapshot snapshot = new MetricsSnapshot(clock.elapsedSeconds(), PrometheusText.parse(response.body()));
        synchronized (snapshots) {
            snapshots.add(snapshot);
        }
        return snapshot;
    }

    /** Scrapes every interval on a daemon thread until closed; a failed scrape is counted and skipped. */
    void start() {
        thread = Thread.ofPlatform().daemon().name("loadtest-metrics").start(() -> {
            for (int i = 0; i < maxScrapes; i++) {
                try {
                    Thread.sleep(interval);
                    scrape();
                } catch (InterruptedException e) {
                    return;
                } catch (IOException | RuntimeException e) {
                    failures.incrementAndGet();
                }
            }
        });
    }

    /** The latest scrape, or null before the first. */
    MetricsSnapshot latest() {
        synchronized (snapshots) {
            return snapshots.isEmpty() ? null : snapshots.getLast();
        }
    }

    List<MetricsSnapshot> snapshots() {
        synchronized (snapshots) {
            return List.copyOf(snapshots);
        }
    }

    int failures() {
        return failures.get();
    }

    /** Stops the background scrapes (not a final scrape: the caller takes that). */
    void stop() throws InterruptedException {
        if (thread != null) {
            thread.interrupt();
            thread.join(Duration.ofSeconds(10));
        }
    }
}
