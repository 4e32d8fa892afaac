package dev.specd.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ServingMetricsTest {

    @Test
    void meterNamesAreUniqueDottedUnderSpecdAndDescribed() {
        Set<String> names = Arrays.stream(MeterName.values()).map(MeterName::meterName).collect(Collectors.toSet());
        assertEquals(MeterName.values().length, names.size());
        for (MeterName name : MeterName.values()) {
            assertTrue(name.meterName().matches("specd(\\.[a-z0-9]+)+"), name.meterName());
            assertTrue(name.description().length() > 20, name + " needs a real description");
        }
    }

    @Test
    void speculationCountersMoveLikeVllms() {
        ServingMetrics metrics = new ServingMetrics();
        metrics.speculationStep(4, 2);
        metrics.speculationStep(3, 3);
        metrics.speculationStep(0, 0); // plain decoding is not a draft
        String text = metrics.scrape();
        assertTrue(text.contains("specd_spec_drafts_total 2.0"), text);
        assertTrue(text.contains("specd_spec_draft_tokens_total 7.0"), text);
        assertTrue(text.contains("specd_spec_accepted_tokens_total 5.0"), text);
        assertTrue(text.contains("specd_spec_accepted_tokens_per_position_total{position=\"0\"} 2.0"), text);
        assertTrue(text.contains("specd_spec_accepted_tokens_per_position_total{position=\"2\"} 1.0"), text);
    }

    @Test
    void everyMeterIsPublishedWithItsDescriptionAsHelp() {
        ServingMetrics metrics = new ServingMetrics();
        AtomicInteger running = new AtomicInteger(3);
        for (MeterName name : MeterName.values()) {
            switch (name.kind()) {
                case GAUGE -> metrics.gauge(name, running::get);
                case FUNCTION_COUNTER -> metrics.functionCounter(name, () -> 42);
                default -> { }
            }
        }
        metrics.speculationStep(1, 1);
        metrics.timeToFirstToken(5_000_000);
        metrics.interTokenLatency(9_000_000, 3);
        metrics.iteration(2_000_000);
        metrics.finished("stop");
        String text = metrics.scrape();
        for (MeterName name : MeterName.values()) {
            String prometheusName = name.meterName().replace('.', '_');
            assertTrue(text.contains(prometheusName), prometheusName + " missing from\n" + text);
        }
        assertTrue(text.contains("# HELP specd_requests_running " + MeterName.REQUESTS_RUNNING.description()), text);
        assertTrue(text.contains("specd_requests_running 3.0"), text);
        assertTrue(text.contains("specd_querylog_written_bytes_total 42.0"), text);
        assertTrue(text.contains("specd_request_inter_token_latency_seconds_count 3"), text);
        assertTrue(text.contains("specd_scheduler_iteration_seconds_sum 0.002"), text);
        assertTrue(text.contains("specd_requests_finished_total{reason=\"stop\"} 1.0"), text);
    }

    @Test
    void aMeterIsRegisteredOnlyAsItsOwnKind() {
        ServingMetrics metrics = new ServingMetrics();
        assertThrows(IllegalArgumentException.class, () -> metrics.gauge(MeterName.SPEC_DRAFTS, () -> 1));
    }
}
