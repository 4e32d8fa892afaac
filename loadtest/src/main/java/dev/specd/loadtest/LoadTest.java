package dev.specd.loadtest;

import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A load test run: checks the URL, waits for the server, probes which arms it supports, scrapes
 * {@code /metrics} before the first request, sends the workload in a closed or open loop until the
 * request count or the duration runs out, lets running requests finish within the drain time,
 * scrapes again, and writes the report.
 */
public final class LoadTest {

    /** How long to wait for {@code /ready}: a server just started may still be loading its models. */
    private static final Duration READY_WAIT = Duration.ofSeconds(60);
    /** After the drain time, cancelled exchanges get this long to unwind. */
    private static final Duration CANCEL_WAIT = Duration.ofSeconds(30);
    private static final Duration PROGRESS_INTERVAL = Duration.ofMillis(250);

    private final LoadTestConfig config;
    private final PrintStream log;
    private final ProgressBar progressBar;

    LoadTest(LoadTestConfig config, PrintStream log, ProgressBar progressBar) {
        this.config = config;
        this.log = log;
        this.progressBar = progressBar;
    }

    /** A run logging to stderr, with the progress bar there. */
    public static Summary run(LoadTestConfig config) throws IOException, InterruptedException {
        return new LoadTest(config, System.err, ProgressBar.onStandardError()).run();
    }

    Summary run() throws IOException, InterruptedException {
        LoopbackGuard.check(config.url(), config.allowRemote());
        Workload workload = config.workload();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        try {
            StreamingClient client = new StreamingClient(http, config.url(), config.endpoint(), config.apiKey(),
                    config.originalDraftVersion(), config.requestTimeout());
            awaitReady(client);
            Map<Arm, String> unsupported = probe(client, workload.phases().getFirst().prompts().getFirst());
            List<Arm> arms = config.arms().stream().filter(arm -> !unsupported.containsKey(arm)).toList();
            if (arms.isEmpty()) {
                throw new IOException("the server refused every arm: " + unsupported);
            }
            Instant startedAt = Instant.now();
            RunClock clock = RunClock.start();
            int maxScrapes = (int) (config.duration().plus(config.drain()).plus(CANCEL_WAIT).toMillis()
                    / config.scrapeInterval().toMillis()) + 2;
            MetricsScraper scraper = new MetricsScraper(client, clock, config.scrapeInterval(), maxScrapes);
            scraper.scrape();
            scraper.start();
            RequestSource source = new RequestSource(workload, new ArmRotation(arms, config.seed() + 1), clock,
                    config.duration(), config.maxRequests(), config.seed());
            ResultLog results = new ResultLog();
            InFlight inFlight = new InFlight();
            AtomicBoolean finished = new AtomicBoolean();
            Thread progress = Thread.ofPlatform().daemon().name("loadtest-progress")
                    .start(() -> showProgress(source, results, inFlight, scraper, clock, finished));
            try {
                generate(source, client, results, inFlight, clock);
            } finally {
                finished.set(true);
                progress.join(Duration.ofSeconds(5));
                scraper.stop();
            }
            try {
                scraper.scrape();
            } catch (IOException e) {
                log.println("loadtest: the last scrape of /metrics failed (" + e.getMessage()
                        + "); the server counters end at the previous one");
            }
            List<RequestResult> inOrder = results.inOrder();
            Summary summary = Summary.of(config, workload, new Summary.RunFacts(startedAt.toString(),
                    clock.elapsedSeconds(), unsupported, scraper.failures()), inOrder, scraper.snapshots());
            Report.write(config.out(), summary, inOrder, scraper.snapshots());
            log.println("loadtest: " + inOrder.size() + " requests, report in " + config.out().resolve(Report.HTML));
            return summary;
        } finally {
            // Not close(): it waits for every exchange, and one the server never ends would hold the run.
            http.shutdownNow();
        }
    }

    /** Sends the run's requests and returns once every one has ended or been cut off. */
    private void generate(RequestSource source, StreamingClient client, ResultLog results, InFlight inFlight,
            RunClock clock) throws InterruptedException {
        ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor();
        try {
            switch (config.arrivals()) {
                case Arrivals.ClosedLoop closed -> {
                    for (int user = 0; user < closed.users(); user++) {
                        requests.submit(() -> user(source, client, results, inFlight, closed.thinkTime()));
                    }
                }
                case Arrivals.OpenLoop open -> dispatch(open, source, client, results, inFlight, clock, requests);
            }
            requests.shutdown();
            long drainEnd = source.deadlineNanos() + config.drain().toNanos();
            if (!requests.awaitTermination(Math.max(0, drainEnd - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                log.println("loadtest: " + inFlight.count() + " requests still running after the drain time: "
                        + "cutting them off");
                inFlight.cancelAll();
                requests.awaitTermination(CANCEL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } finally {
            requests.shutdownNow();
        }
    }

    /** A closed-loop user: send, wait for the end of the response, think, until the source runs dry. */
    private static void user(RequestSource source, StreamingClient client, ResultLog results, InFlight inFlight,
            Duration thinkTime) {
        for (Optional<RequestSource.Planned> next = source.next(); next.isPresent(); next = source.next()) {
            results.add(client.send(next.get().sent(), next.get().prompt(), inFlight));
            try {
                Thread.sleep(thinkTime);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The open loop: sends each request at its Poisson arrival time, without waiting for earlier ones. */
    private void dispatch(Arrivals.OpenLoop open, RequestSource source, StreamingClient client, ResultLog results,
            InFlight inFlight, RunClock clock, ExecutorService requests) throws InterruptedException {
        PoissonArrivals arrivals = new PoissonArrivals(open.ratePerSecond(), config.seed() + 2);
        long arrival = clock.startNanos();
        for (int i = 0; i < config.maxRequests(); i++) {
            arrival += arrivals.nextGapNanos();
            if (arrival >= source.deadlineNanos()) {
                return;
            }
            long wait = arrival - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(Duration.ofNanos(wait));
            }
            Optional<RequestSource.Planned> next = source.next();
            if (next.isEmpty()) {
                return;
            }
            requests.submit(() -> results.add(client.send(next.get().sent(), next.get().prompt(), inFlight)));
        }
    }

    /** Waits until {@code GET /ready} answers 200, at most {@link #READY_WAIT}. */
    private void awaitReady(StreamingClient client) throws IOException, InterruptedException {
        String last = "no answer";
        long attempts = READY_WAIT.toSeconds();
        for (long attempt = 0; attempt < attempts; attempt++) {
            try {
                HttpResponse<String> ready = client.get("/ready");
                if (ready.statusCode() == 200) {
                    return;
                }
                last = "GET /ready answered " + ready.statusCode();
            } catch (IOException e) {
                last = e.toString();
            }
            if (attempt == 0) {
                log.println("loadtest: waiting for " + config.url() + " to be ready (" + last + ")");
            }
            Thread.sleep(Duration.ofSeconds(1));
        }
        throw new IOException("the server at " + config.url() + " was not ready within " + READY_WAIT.toSeconds()
                + " s: " + last);
    }

    /** The arms the server refuses, with its reasons; these are left out of the run and reported. */
    private Map<Arm, String> probe(StreamingClient client, Prompt prompt) throws IOException, InterruptedException {
        Map<Arm, String> unsupported = new EnumMap<>(Arm.class);
        for (Arm arm : config.arms()) {
            Optional<String> refusal = client.probe(arm, prompt);
            if (refusal.isPresent()) {
                unsupported.put(arm, refusal.get());
                log.println("loadtest: arm " + arm.label() + " is not supported by this server (" + refusal.get()
                        + "); it is left out of the run and marked unsupported in the report");
            }
        }
        return unsupported;
    }

    private void showProgress(RequestSource source, ResultLog results, InFlight inFlight, MetricsScraper scraper,
            RunClock clock, AtomicBoolean finished) {
        long limit = config.duration().plus(config.drain()).plus(CANCEL_WAIT).toMillis() / PROGRESS_INTERVAL.toMillis()
                + 1;
        for (long i = 0; i < limit && !finished.get(); i++) {
            progressBar.show(progress(source, results, inFlight, scraper, clock), false);
            try {
                Thread.sleep(PROGRESS_INTERVAL);
            } catch (InterruptedException e) {
                return;
            }
        }
        progressBar.show(progress(source, results, inFlight, scraper, clock), true);
    }

    private ProgressBar.Progress progress(RequestSource source, ResultLog results, InFlight inFlight,
            MetricsScraper scraper, RunClock clock) {
        MetricsSnapshot latest = scraper.latest();
        OptionalDouble version = latest == null ? OptionalDouble.empty() : latest.value(ServerMeters.DRAFT_VERSION);
        return new ProgressBar.Progress(source.progress(), clock.elapsedSeconds(),
                config.duration().toMillis() / 1000.0, source.issued(), results.ok(), results.errors(),
                inFlight.count(), source.phaseName(), results.acceptance(),
                version.isEmpty() || version.getAsDouble() < 0 ? null : Summary.label((int) version.getAsDouble()));
    }
}
