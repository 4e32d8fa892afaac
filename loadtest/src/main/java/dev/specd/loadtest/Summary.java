package dev.specd.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.function.ToLongFunction;

/**
 * {@code summary.json}: the run, per-arm and per-phase latency and acceptance, the same over time
 * windows, the speed-up of the adapting draft, the server's counters over the same period, and
 * whether the two agree.
 */
public record Summary(Run run, Totals totals, List<ArmSummary> arms, List<PhaseSummary> phases, List<Window> windows,
        Speedup speedup, ServerCounters server, Agreement agreement) {

    /** The run is cut into this many windows (each at least a second): each averages several requests. */
    static final int WINDOWS = 20;

    /**
     * @param durationS from the first request to the last scrape
     * @param unsupportedArms arms the server refused, with its reason
     */
    public record Run(String url, String arrivals, String endpoint, String startedAt, double plannedDurationS,
            double durationS, int maxRequests, long seed, List<String> phases, List<Arm> arms,
            Map<Arm, String> unsupportedArms, String originalDraftVersion, int scrapeFailures) {}

    public record Totals(int requests, int ok, int httpErrors, int failed, int cancelled, long outputTokens,
            long promptTokens, long draftedTokens, long acceptedTokens, Double acceptanceRate) {}

    /**
     * @param itlMs inter-token latency per request (see {@link RequestResult#itlMs()})
     * @param decodeTokensPerSecond output tokens per second after the first, per request
     * @param draftVersions the draft versions its responses named, in order of first appearance
     */
    public record ArmSummary(Arm arm, String description, boolean supported, String unsupportedReason, int requests,
            int ok, int errors, long outputTokens, long draftedTokens, long acceptedTokens, Double acceptanceRate,
            Distribution ttftMs, Distribution itlMs, Distribution e2eMs, Distribution decodeTokensPerSecond,
            List<String> draftVersions) {}

    /** @param startS when its first request was sent; null if none was */
    public record PhaseSummary(int index, String name, Double startS, int requests, List<ArmSummary> arms,
            Speedup speedup) {}

    /** The responses that ended in [startS, endS), per arm: the time series the report charts. */
    public record Window(int index, double startS, double endS, List<WindowArm> arms) {}

    /**
     * @param requests responses that ended OK in the window
     * @param outputTokensPerSecond their output tokens over the window's length
     * @param meanDecodeTokensPerSecond the mean of their decode speeds (see {@link RequestResult#decodeTokensPerSecond()})
     */
    public record WindowArm(Arm arm, int requests, long outputTokens, Double outputTokensPerSecond,
            long draftedTokens, long acceptedTokens, Double acceptanceRate, Double meanDecodeTokensPerSecond,
            Distribution e2eMs) {}

    /**
     * How much faster the adapting draft decodes: the other arm's mean inter-token latency over the
     * adapting draft's (above 1 is faster); null when either arm has no measurement.
     */
    public record Speedup(Double adaptiveOverOff, Double adaptiveOverOriginal) {}

    /**
     * The server's counters between the first scrape (before the first request) and the last (after
     * the last response).
     *
     * @param draftVersions the serving draft version over time, from the {@code specd_draft_version}
     *     gauge and from the responses; the first entry is the version at the start
     */
    public record ServerCounters(Double firstScrapeS, Double lastScrapeS, int scrapes, long drafts, long draftedTokens,
            long acceptedTokens, long generationTokens, Double acceptanceRate, Double meanAcceptedLength,
            List<VersionChange> draftVersions) {}

    /** @param source {@code metrics} (the gauge) or {@code responses} (a response's draft_version) */
    public record VersionChange(double atS, String version, String source) {}

    /**
     * Sums over the responses against the server's counter deltas. They are equal when the load test
     * was the server's only traffic and every request ended (a request cut off mid-stream had tokens
     * counted by the server but never reported to the client).
     */
    public record Agreement(long responseDraftedTokens, long serverDraftedTokens, long responseAcceptedTokens,
            long serverAcceptedTokens, long responseOutputTokens, long serverGenerationTokens, boolean allRequestsEnded,
            boolean consistent) {}

    /** What the run was, beyond its configuration. */
    record RunFacts(String startedAt, double durationS, Map<Arm, String> unsupportedArms, int scrapeFailures) {}

    static Summary of(LoadTestConfig config, Workload workload, RunFacts facts, List<RequestResult> results,
            List<MetricsSnapshot> snapshots) {
        Run run = new Run(config.url().toString(), config.arrivals().describe(), config.endpoint().label(),
                facts.startedAt(), config.duration().toMillis() / 1000.0, facts.durationS(), config.maxRequests(),
                config.seed(), workload.phases().stream().map(Phase::name).toList(), config.arms(),
                facts.unsupportedArms(), config.originalDraftVersion(), facts.scrapeFailures());
        List<PhaseSummary> phases = new ArrayList<>();
        for (int index = 0; index < workload.phases().size(); index++) {
            int phase = index;
            List<RequestResult> inPhase = results.stream().filter(result -> result.phase() == phase).toList();
            List<ArmSummary> arms = arms(config, facts, inPhase);
            OptionalDouble start = inPhase.stream().mapToDouble(RequestResult::startS).min();
            phases.add(new PhaseSummary(phase, workload.phases().get(phase).name(),
                    start.isPresent() ? start.getAsDouble() : null, inPhase.size(), arms, speedup(arms)));
        }
        List<ArmSummary> arms = arms(config, facts, results);
        ServerCounters server = server(snapshots, results);
        return new Summary(run, totals(results), arms, phases, windows(config, facts, results), speedup(arms), server,
                agreement(results, server));
    }

    private static List<Window> windows(LoadTestConfig config, RunFacts facts, List<RequestResult> results) {
        double length = Math.max(1, facts.durationS() / WINDOWS);
        List<RequestResult> ok = results.stream().filter(RequestResult::ok).toList();
        int last = ok.stream().mapToInt(result -> (int) Math.floor(result.endS() / length)).max().orElse(-1);
        List<Window> windows = new ArrayList<>();
        for (int index = 0; index <= last; index++) {
            int window = index;
            List<RequestResult> ended = ok.stream()
                    .filter(result -> (int) Math.floor(result.endS() / length) == window).toList();
            List<WindowArm> arms = config.arms().stream()
                    .map(arm -> windowArm(arm, ended.stream().filter(result -> result.arm() == arm).toList(), length))
                    .toList();
            windows.add(new Window(index, index * length, (index + 1) * length, arms));
        }
        return windows;
    }

    private static WindowArm windowArm(Arm arm, List<RequestResult> ended, double length) {
        long outputTokens = ended.stream().mapToLong(RequestResult::outputTokens).sum();
        long drafted = sum(ended, Speculative::draftedTokens);
        long accepted = sum(ended, Speculative::acceptedTokens);
        OptionalDouble decode = ended.stream().map(RequestResult::decodeTokensPerSecond).filter(Objects::nonNull)
                .mapToDouble(Double::doubleValue).average();
        return new WindowArm(arm, ended.size(), outputTokens, ended.isEmpty() ? null : outputTokens / length, drafted,
                accepted, ratio(accepted, drafted), decode.isPresent() ? decode.getAsDouble() : null,
                Distribution.of(ended.stream().map(RequestResult::e2eMs).toList()));
    }

    private static List<ArmSummary> arms(LoadTestConfig config, RunFacts facts, List<RequestResult> results) {
        return config.arms().stream().map(arm -> arm(arm, facts.unsupportedArms().get(arm),
                results.stream().filter(result -> result.arm() == arm).toList())).toList();
    }

    private static ArmSummary arm(Arm arm, String unsupportedReason, List<RequestResult> results) {
        List<RequestResult> ok = results.stream().filter(RequestResult::ok).toList();
        long drafted = sum(results, Speculative::draftedTokens);
        long accepted = sum(results, Speculative::acceptedTokens);
        List<String> versions = ok.stream().map(RequestResult::speculative).filter(Objects::nonNull)
                .map(Speculative::draftVersion).filter(Objects::nonNull).distinct().toList();
        return new ArmSummary(arm, arm.description(), unsupportedReason == null, unsupportedReason, results.size(),
                ok.size(), results.size() - ok.size(), ok.stream().mapToLong(RequestResult::outputTokens).sum(),
                drafted, accepted, ratio(accepted, drafted),
                Distribution.of(ok.stream().map(RequestResult::ttftMs).toList()),
                Distribution.of(ok.stream().map(RequestResult::itlMs).toList()),
                Distribution.of(ok.stream().map(RequestResult::e2eMs).toList()),
                Distribution.of(ok.stream().map(RequestResult::decodeTokensPerSecond).toList()), versions);
    }

    private static Speedup speedup(List<ArmSummary> arms) {
        Double adaptive = meanItl(arms, Arm.ADAPTIVE);
        Double off = meanItl(arms, Arm.OFF);
        Double original = meanItl(arms, Arm.ORIGINAL);
        return new Speedup(adaptive == null || off == null ? null : off / adaptive,
                adaptive == null || original == null ? null : original / adaptive);
    }

    private static Double meanItl(List<ArmSummary> arms, Arm arm) {
        return arms.stream().filter(summary -> summary.arm() == arm).findFirst()
                .map(summary -> summary.itlMs().mean()).filter(mean -> mean > 0).orElse(null);
    }

    private static Totals totals(List<RequestResult> results) {
        long drafted = sum(results, Speculative::draftedTokens);
        long accepted = sum(results, Speculative::acceptedTokens);
        return new Totals(results.size(), count(results, Outcome.OK), count(results, Outcome.HTTP_ERROR),
                count(results, Outcome.FAILED), count(results, Outcome.CANCELLED),
                results.stream().mapToLong(RequestResult::outputTokens).sum(),
                results.stream().mapToLong(RequestResult::promptTokens).sum(), drafted, accepted,
                ratio(accepted, drafted));
    }

    private static ServerCounters server(List<MetricsSnapshot> snapshots, List<RequestResult> results) {
        if (snapshots.isEmpty()) {
            return new ServerCounters(null, null, 0, 0, 0, 0, 0, null, null, versions(snapshots, results));
        }
        MetricsSnapshot first = snapshots.getFirst();
        MetricsSnapshot last = snapshots.getLast();
        long drafts = delta(first, last, ServerMeters.DRAFTS);
        long drafted = delta(first, last, ServerMeters.DRAFT_TOKENS);
        long accepted = delta(first, last, ServerMeters.ACCEPTED_TOKENS);
        return new ServerCounters(first.atS(), last.atS(), snapshots.size(), drafts, drafted, accepted,
                delta(first, last, ServerMeters.GENERATION_TOKENS), ratio(accepted, drafted),
                drafts == 0 ? null : 1 + (double) accepted / drafts, versions(snapshots, results));
    }

    /** Version changes seen by the gauge and in the adapting arm's responses, in time order. */
    static List<VersionChange> versions(List<MetricsSnapshot> snapshots, List<RequestResult> results) {
        List<VersionChange> changes = new ArrayList<>();
        String previous = null;
        for (MetricsSnapshot snapshot : snapshots) {
            OptionalDouble gauge = snapshot.value(ServerMeters.DRAFT_VERSION);
            String version = gauge.isEmpty() || gauge.getAsDouble() < 0 ? null : label((int) gauge.getAsDouble());
            if (version != null && !version.equals(previous)) {
                changes.add(new VersionChange(snapshot.atS(), version, "metrics"));
                previous = version;
            }
        }
        previous = null;
        List<RequestResult> byEnd = results.stream()
                .filter(result -> result.ok() && result.arm() == Arm.ADAPTIVE && result.speculative() != null
                        && result.speculative().draftVersion() != null)
                .sorted((a, b) -> Double.compare(a.endS(), b.endS())).toList();
        for (RequestResult result : byEnd) {
            String version = result.speculative().draftVersion();
            if (!version.equals(previous)) {
                changes.add(new VersionChange(result.endS(), version, "responses"));
                previous = version;
            }
        }
        changes.sort((a, b) -> Double.compare(a.atS(), b.atS()));
        return changes;
    }

    /** The server's label of a draft version number, as in its responses ({@code v0003}). */
    static String label(int version) {
        return String.format(Locale.ROOT, "v%04d", version);
    }

    private static Agreement agreement(List<RequestResult> results, ServerCounters server) {
        Totals totals = totals(results);
        boolean ended = totals.failed() == 0 && totals.cancelled() == 0;
        boolean consistent = totals.draftedTokens() == server.draftedTokens()
                && totals.acceptedTokens() == server.acceptedTokens()
                && totals.outputTokens() == server.generationTokens();
        return new Agreement(totals.draftedTokens(), server.draftedTokens(), totals.acceptedTokens(),
                server.acceptedTokens(), totals.outputTokens(), server.generationTokens(), ended, consistent);
    }

    private static long delta(MetricsSnapshot first, MetricsSnapshot last, String counter) {
        return Math.round(last.total(counter) - first.total(counter));
    }

    private static long sum(List<RequestResult> results, ToLongFunction<Speculative> field) {
        return results.stream().map(RequestResult::speculative).filter(Objects::nonNull).mapToLong(field).sum();
    }

    private static int count(List<RequestResult> results, Outcome outcome) {
        return (int) results.stream().filter(result -> result.outcome() == outcome).count();
    }

    static Double ratio(long numerator, long denominator) {
        return denominator == 0 ? null : (double) numerator / denominator;
    }
}
