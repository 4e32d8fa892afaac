package dev.specd.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {

    /** Shaped like Micrometer's Prometheus output from the server. */
    private static final String SCRAPE = """
            # HELP specd_spec_draft_tokens_total Tokens proposed by the drafter
            # TYPE specd_spec_draft_tokens_total counter
            specd_spec_draft_tokens_total 120.0
            specd_spec_accepted_tokens_total 87.0
            # TYPE specd_spec_accepted_tokens_per_position_total counter
            specd_spec_accepted_tokens_per_position_total{position="0"} 40.0
            specd_spec_accepted_tokens_per_position_total{position="1"} 30.0
            specd_requests_finished_total{reason="a b"} 2.0 1700000000000
            specd_draft_version 3.0
            specd_request_e2e_latency_seconds_bucket{le="+Inf"} 9
            specd_odd NaN
            specd_inf +Inf
            """;

    @Test
    void readsSamplesWithAndWithoutLabels() {
        Map<String, Double> samples = PrometheusText.parse(SCRAPE);
        assertEquals(120.0, samples.get("specd_spec_draft_tokens_total"));
        assertEquals(30.0, samples.get("specd_spec_accepted_tokens_per_position_total{position=\"1\"}"));
        assertEquals(2.0, samples.get("specd_requests_finished_total{reason=\"a b\"}"), "label values may hold spaces");
        assertEquals(9.0, samples.get("specd_request_e2e_latency_seconds_bucket{le=\"+Inf\"}"));
        assertTrue(Double.isNaN(samples.get("specd_odd")));
        assertEquals(Double.POSITIVE_INFINITY, samples.get("specd_inf"));
        assertEquals(9, samples.size());
    }

    @Test
    void aSnapshotSumsOverLabelsAndReadsGauges() {
        MetricsSnapshot snapshot = new MetricsSnapshot(1.5, PrometheusText.parse(SCRAPE));
        assertEquals(70.0, snapshot.total("specd_spec_accepted_tokens_per_position_total"));
        assertEquals(87.0, snapshot.total(ServerMeters.ACCEPTED_TOKENS));
        assertEquals(0.0, snapshot.total("specd_absent_total"));
        assertEquals(3.0, snapshot.value(ServerMeters.DRAFT_VERSION).orElseThrow());
        assertTrue(snapshot.value("specd_absent").isEmpty());
    }

    @Test
    void garbageIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse("specd_no_value\n"));
        assertThrows(NumberFormatException.class, () -> PrometheusText.parse("specd_x abc\n"));
    }
}
