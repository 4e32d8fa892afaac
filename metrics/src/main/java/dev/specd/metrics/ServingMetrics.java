package dev.specd.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/**
 * The server's meters on a Prometheus registry, one typed method per thing that happens. Every
 * meter is named and described in {@link MeterName}; this class only wires them. Thread-safe.
 */
public final class ServingMetrics {

    /** Latency histograms span 1 ms to 10 min: wide enough for prefill on a laptop and for long streams. */
    private static final Duration SHORTEST = Duration.ofMillis(1);
    private static final Duration LONGEST = Duration.ofMinutes(10);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter drafts = counter(MeterName.SPEC_DRAFTS);
    private final Counter draftTokens = counter(MeterName.SPEC_DRAFT_TOKENS);
    private final Counter acceptedTokens = counter(MeterName.SPEC_ACCEPTED_TOKENS);
    private final Counter promptTokens = counter(MeterName.PROMPT_TOKENS);
    private final Counter generationTokens = counter(MeterName.GENERATION_TOKENS);
    private final Timer timeToFirstToken = timer(MeterName.TIME_TO_FIRST_TOKEN);
    private final Timer interTokenLatency = timer(MeterName.INTER_TOKEN_LATENCY);
    private final Timer endToEndLatency = timer(MeterName.END_TO_END_LATENCY);
    private final Timer queueTime = timer(MeterName.QUEUE_TIME);
    private final Timer iteration = timer(MeterName.ITERATION);
    private final Counter draftSwaps = counter(MeterName.DRAFT_SWAPS);
    private final Counter draftRefusals = counter(MeterName.DRAFT_REFUSALS);
    /** [position] accepted-at-position counters, created as deeper drafts appear. */
    private Counter[] acceptedAtPosition = new Counter[0];
    /** Function counters hold their source weakly: these keep the sources alive. */
    private final List<DoubleSupplier> functionSources = new ArrayList<>();

    /** One verification step of one sequence: γ drafted, the first {@code accepted} of them kept. */
    public void speculationStep(int drafted, int accepted) {
        if (drafted == 0) {
            return;
        }
        drafts.increment();
        draftTokens.increment(drafted);
        acceptedTokens.increment(accepted);
        for (int position = 0; position < accepted; position++) {
            acceptedAtPosition(position).increment();
        }
    }

    public void promptTokens(int count) {
        promptTokens.increment(count);
    }

    public void generationTokens(int count) {
        generationTokens.increment(count);
    }

    public void iteration(long nanos) {
        iteration.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void queueTime(long nanos) {
        queueTime.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void timeToFirstToken(long nanos) {
        timeToFirstToken.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** An emission of {@code tokens} tokens {@code gapNanos} after the previous one to the same request. */
    public void interTokenLatency(long gapNanos, int tokens) {
        long perToken = gapNanos / tokens;
        for (int i = 0; i < tokens; i++) {
            interTokenLatency.record(perToken, TimeUnit.NANOSECONDS);
        }
    }

    public void endToEndLatency(long nanos) {
        endToEndLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A new draft model took the serving one's place. */
    public void draftSwapped() {
        draftSwaps.increment();
    }

    /** A draft version was refused (corrupt or unloadable); the previous one keeps serving. */
    public void draftRefused() {
        draftRefusals.increment();
    }

    /** A sequence left the running batch; see {@link MeterName#REQUESTS_FINISHED} for the reasons. */
    public void finished(String reason) {
        Counter.builder(MeterName.REQUESTS_FINISHED.meterName())
                .description(MeterName.REQUESTS_FINISHED.description())
                .tag(MeterName.REASON_TAG, reason)
                .register(registry)
                .increment();
    }

    /** Publishes a gauge read from {@code value} at every scrape. */
    public void gauge(MeterName name, Supplier<Number> value) {
        require(name, MeterName.Kind.GAUGE);
        Gauge.builder(name.meterName(), value).description(name.description()).strongReference(true).register(registry);
    }

    /** Publishes a counter kept elsewhere (a monotonic total), read at every scrape. */
    public void functionCounter(MeterName name, DoubleSupplier total) {
        require(name, MeterName.Kind.FUNCTION_COUNTER);
        synchronized (functionSources) {
            functionSources.add(total);
        }
        FunctionCounter.builder(name.meterName(), total, DoubleSupplier::getAsDouble)
                .description(name.description())
                .baseUnit(name.baseUnit())
                .register(registry);
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }

    public MeterRegistry registry() {
        return registry;
    }

    private synchronized Counter acceptedAtPosition(int position) {
        if (position >= acceptedAtPosition.length) {
            int known = acceptedAtPosition.length;
            acceptedAtPosition = Arrays.copyOf(acceptedAtPosition, position + 1);
            for (int i = known; i <= position; i++) {
                acceptedAtPosition[i] = Counter.builder(MeterName.SPEC_ACCEPTED_TOKENS_PER_POSITION.meterName())
                        .description(MeterName.SPEC_ACCEPTED_TOKENS_PER_POSITION.description())
                        .tag(MeterName.POSITION_TAG, Integer.toString(i))
                        .register(registry);
            }
        }
        return acceptedAtPosition[position];
    }

    private Counter counter(MeterName name) {
        require(name, MeterName.Kind.COUNTER);
        return Counter.builder(name.meterName()).description(name.description()).baseUnit(name.baseUnit()).register(registry);
    }

    private Timer timer(MeterName name) {
        require(name, MeterName.Kind.TIMER);
        return Timer.builder(name.meterName())
                .description(name.description())
                .publishPercentileHistogram()
                .minimumExpectedValue(SHORTEST)
                .maximumExpectedValue(LONGEST)
                .register(registry);
    }

    private static void require(MeterName name, MeterName.Kind kind) {
        if (name.kind() != kind) {
            throw new IllegalArgumentException(name.meterName() + " is a " + name.kind() + ", not a " + kind);
        }
    }
}
