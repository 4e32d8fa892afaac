package dev.specd.cli;

import dev.specd.loadtest.Arm;
import dev.specd.loadtest.Arrivals;
import dev.specd.loadtest.DurationText;
import dev.specd.loadtest.Endpoint;
import dev.specd.loadtest.LoadTest;
import dev.specd.loadtest.LoadTestConfig;
import dev.specd.loadtest.Sampling;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code specd loadtest}: load a running server and write a report. Its options hold the load test's defaults, once. */
@Command(name = "loadtest", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Load a running specd server over HTTP and write a report (requests.jsonl, summary.json, "
                + "report.html with PNG charts).",
                "Interleaves three arms in one run: speculation off, the original draft (pinned) and the live "
                        + "adapting draft; the default workload shifts from english to python mid-run."})
public final class LoadTestCommand implements Callable<Integer> {

    enum Mode { CLOSED, OPEN }

    @Option(names = "--url", defaultValue = "http://127.0.0.1:8080",
            description = "The server's base URL; loopback only unless --allow-remote (default ${DEFAULT-VALUE}).")
    URI url;

    @Option(names = "--allow-remote", description = "Allow a URL that is not on this machine.")
    boolean allowRemote;

    @Option(names = "--out", defaultValue = "loadtest-report", paramLabel = "DIR",
            description = "Report directory (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--duration", defaultValue = "60s", converter = DurationConverter.class,
            description = "Requests are sent for this long: 500ms, 60s, 2m... (default ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--max-requests", defaultValue = "10000", paramLabel = "N",
            description = "At most this many requests; the run stops at whichever bound comes first "
                    + "(default ${DEFAULT-VALUE}).")
    int maxRequests;

    @Option(names = "--drain", defaultValue = "60s", converter = DurationConverter.class,
            description = "How long requests still running at the end may take before they are cut off "
                    + "(default ${DEFAULT-VALUE}).")
    Duration drain;

    @Option(names = "--mode", defaultValue = "closed",
            description = "closed: --users users each waiting for its response; open: Poisson arrivals at --rate "
                    + "(default ${DEFAULT-VALUE}).")
    Mode mode;

    @Option(names = "--users", defaultValue = "4", paramLabel = "N",
            description = "Concurrent users of the closed loop (default ${DEFAULT-VALUE}).")
    int users;

    @Option(names = "--think-time", defaultValue = "0s", converter = DurationConverter.class,
            description = "A closed-loop user's pause between a response and its next request "
                    + "(default ${DEFAULT-VALUE}).")
    Duration thinkTime;

    @Option(names = "--rate", defaultValue = "2", paramLabel = "PER_SECOND",
            description = "Mean arrivals per second of the open loop (default ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--seed", defaultValue = "1",
            description = "Seed of the prompt choice, the arm order and the arrivals (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--endpoint", defaultValue = "completions",
            description = "completions or chat (the prompt as the user message) (default ${DEFAULT-VALUE}).")
    Endpoint endpoint;

    @Option(names = "--prompts", defaultValue = "models/heldout.jsonl", paramLabel = "FILE",
            description = "JSONL of {\"domain\": ..., \"prompt\": ...} that --phases draw from; a line may also set "
                    + "max_tokens, temperature, top_p, top_k (default ${DEFAULT-VALUE}).")
    Path prompts;

    @Option(names = "--phases", defaultValue = "english,python", split = ",", paramLabel = "DOMAINS",
            description = "Phases in order, each an equal share of the run: a domain of --prompts, or domains "
                    + "joined by + (default ${DEFAULT-VALUE}).")
    List<String> phases;

    @Option(names = "--workload", paramLabel = "FILE",
            description = "A JSONL prompt file as one phase (repeatable, in order); replaces --prompts and --phases.")
    List<Path> workloadFiles = new ArrayList<>();

    @Option(names = "--max-tokens", defaultValue = "64", paramLabel = "N",
            description = "Tokens generated per request (default ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--temperature", defaultValue = "0",
            description = "Sampling temperature; 0 is greedy (default ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-p", description = "Nucleus sampling threshold (default: the server's).")
    Double topP;

    @Option(names = "--top-k", description = "Top-k sampling (default: the server's).")
    Integer topK;

    @Option(names = "--arms", defaultValue = "off,original,adaptive", split = ",", paramLabel = "ARM",
            description = "Arms to interleave: off (no speculation), original (the pinned --original-draft), "
                    + "adaptive (the live draft) (default ${DEFAULT-VALUE}).")
    List<String> arms;

    @Option(names = "--original-draft", defaultValue = "v0000", paramLabel = "VERSION",
            description = "Draft version the original arm pins with \"speculative\": {\"draft_version\": ...} "
                    + "(default ${DEFAULT-VALUE}).")
    String originalDraft;

    @Option(names = "--request-timeout", defaultValue = "300s", converter = DurationConverter.class,
            description = "Longest a single request may take (default ${DEFAULT-VALUE}).")
    Duration requestTimeout;

    @Option(names = "--scrape-interval", defaultValue = "2s", converter = DurationConverter.class,
            description = "How often /metrics is scraped (default ${DEFAULT-VALUE}).")
    Duration scrapeInterval;

    @Option(names = "--api-key", paramLabel = "KEY", defaultValue = "${env:SPECD_API_KEY}",
            description = "Sent as 'Authorization: Bearer KEY' (default: none). Also SPECD_API_KEY.")
    String apiKey;

    /** The configuration these options describe. */
    public LoadTestConfig config() {
        Arrivals arrivals = mode == Mode.OPEN ? new Arrivals.OpenLoop(rate) : new Arrivals.ClosedLoop(users, thinkTime);
        return new LoadTestConfig(url, allowRemote, out, duration, maxRequests, drain, arrivals, seed, endpoint, prompts,
                phases, workloadFiles, new Sampling(maxTokens, temperature, topP, topK),
                arms.stream().map(Arm::ofLabel).toList(), originalDraft, requestTimeout, scrapeInterval,
                apiKey == null || apiKey.isBlank() ? null : apiKey);
    }

    /** Parses {@code loadtest} arguments with the defaults above; for tests and embedding. */
    public static LoadTestConfig parse(String... args) {
        LoadTestCommand command = new LoadTestCommand();
        new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args);
        return command.config();
    }

    @Override
    public Integer call() throws InterruptedException {
        try {
            LoadTest.run(config());
            return 0;
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("specd loadtest: " + e.getMessage());
            return 1;
        }
    }

    /** Durations written as 500ms, 60s, 2m or 1h. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

        @Override
        public Duration convert(String value) {
            return DurationText.parse(value);
        }
    }
}
