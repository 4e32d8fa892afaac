package dev.specd.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SummaryTest {

    @TempDir
    Path dir;

    @Test
    void totalsAndArmsComeFromTheResults() throws Exception {
        Summary summary = SampleRun.summary(dir);
        assertEquals(40, summary.totals().requests());
        assertEquals(39, summary.totals().ok());
        assertEquals(1, summary.totals().httpErrors());
        assertEquals(20 * 10, summary.totals().draftedTokens());
        assertEquals(20 * 6, summary.totals().acceptedTokens());
        assertEquals(0.6, summary.totals().acceptanceRate(), 1e-12);

        Summary.ArmSummary adaptive = arm(summary.arms(), Arm.ADAPTIVE);
        assertEquals(20, adaptive.requests());
        assertEquals(10.0, adaptive.itlMs().p50(), 1e-12);
        assertEquals(100.0, adaptive.decodeTokensPerSecond().mean(), 1e-9);
        assertEquals(List.of("v0000", "v0001"), adaptive.draftVersions());
        Summary.ArmSummary off = arm(summary.arms(), Arm.OFF);
        assertEquals(19, off.ok());
        assertEquals(1, off.errors());
        assertNull(off.acceptanceRate(), "nothing drafted with speculation off");
        Summary.ArmSummary original = arm(summary.arms(), Arm.ORIGINAL);
        assertFalse(original.supported());
        assertEquals("Unknown field speculative.draft_version", original.unsupportedReason());
        assertEquals(0, original.requests());
    }

    @Test
    void speedupIsTheRatioOfMeanInterTokenLatencies() throws Exception {
        Summary summary = SampleRun.summary(dir);
        assertEquals(2.0, summary.speedup().adaptiveOverOff(), 1e-12);
        assertNull(summary.speedup().adaptiveOverOriginal(), "no original arm");
        assertEquals(2, summary.phases().size());
        Summary.PhaseSummary python = summary.phases().get(1);
        assertEquals("python", python.name());
        assertEquals(5.0, python.startS(), 1e-12);
        assertEquals(20, python.requests());
        assertEquals(2.0, python.speedup().adaptiveOverOff(), 1e-12);
    }

    @Test
    void serverCountersAreDeltasBetweenFirstAndLastScrape() throws Exception {
        Summary summary = SampleRun.summary(dir);
        Summary.ServerCounters server = summary.server();
        assertEquals(12, server.scrapes());
        assertEquals(200, server.draftedTokens());
        assertEquals(120, server.acceptedTokens());
        assertEquals(50, server.drafts());
        assertEquals(39 * 9, server.generationTokens());
        assertEquals(1 + 120.0 / 50, server.meanAcceptedLength(), 1e-12);
        assertTrue(summary.agreement().consistent());
        assertTrue(summary.agreement().allRequestsEnded());
    }

    @Test
    void draftVersionsAreFollowedInTheGaugeAndTheResponses() throws Exception {
        List<Summary.VersionChange> versions = SampleRun.summary(dir).server().draftVersions();
        assertEquals(List.of("v0000", "v0000", "v0001", "v0001"),
                versions.stream().map(Summary.VersionChange::version).toList());
        Summary.VersionChange gauge = versions.stream()
                .filter(change -> change.source().equals("metrics") && change.version().equals("v0001"))
                .findFirst().orElseThrow();
        assertEquals(6.0, gauge.atS());
        Summary.VersionChange response = versions.stream()
                .filter(change -> change.source().equals("responses") && change.version().equals("v0001"))
                .findFirst().orElseThrow();
        assertEquals(6.1, response.atS(), 1e-9, "request 24 started at 6 s and took 100 ms");
    }

    @Test
    void windowsBinResponsesByWhenTheyEnded() throws Exception {
        Summary summary = SampleRun.summary(dir);
        // 11 s / 20 is under a second, so windows are 1 s; the last response ends at 9.93 s.
        assertEquals(10, summary.windows().size());
        Summary.Window first = summary.windows().getFirst();
        assertEquals(0.0, first.startS());
        assertEquals(1.0, first.endS());
        Summary.WindowArm adaptive = first.arms().stream().filter(arm -> arm.arm() == Arm.ADAPTIVE).findFirst().orElseThrow();
        assertEquals(2, adaptive.requests(), "requests 0 and 2 end at 0.1 and 0.6 s");
        assertEquals(18, adaptive.outputTokens());
        assertEquals(18.0, adaptive.outputTokensPerSecond(), 1e-12);
        assertEquals(0.6, adaptive.acceptanceRate(), 1e-12);
        assertEquals(100.0, adaptive.meanDecodeTokensPerSecond(), 1e-9);
        assertEquals(100.0, adaptive.e2eMs().p99(), 1e-9);
        Summary.WindowArm off = summary.windows().get(1).arms().stream().filter(arm -> arm.arm() == Arm.OFF)
                .findFirst().orElseThrow();
        assertEquals(1, off.requests(), "request 7 failed: only OK responses count");
        assertNull(off.acceptanceRate());
        Summary.WindowArm original = first.arms().stream().filter(arm -> arm.arm() == Arm.ORIGINAL).findFirst().orElseThrow();
        assertEquals(0, original.requests());
        assertNull(original.outputTokensPerSecond());
    }

    @Test
    void disagreementIsReported() throws Exception {
        List<RequestResult> results = SampleRun.results();
        List<MetricsSnapshot> snapshots = SampleRun.snapshots(results);
        LoadTestConfig config = SampleRun.config(dir);
        Summary summary = Summary.of(config, config.workload(),
                new Summary.RunFacts("now", 11.0, java.util.Map.of(), 0), results.subList(0, 30), snapshots);
        assertFalse(summary.agreement().consistent());
    }

    private static Summary.ArmSummary arm(List<Summary.ArmSummary> arms, Arm arm) {
        return arms.stream().filter(summary -> summary.arm() == arm).findFirst().orElseThrow();
    }
}
