package dev.specd.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

    static final List<String> CHARTS = List.of("acceptance.png", "throughput.png", "latency-ttft.png",
            "latency-itl.png", "latency-e2e.png", "speedup.png");

    @TempDir
    Path dir;

    /** Checks a report directory: every file, decodable charts, raw results and summary that agree. */
    static void checkReport(Path dir, int requests) throws Exception {
        for (String chart : CHARTS) {
            BufferedImage image = ImageIO.read(dir.resolve(chart).toFile());
            assertNotNull(image, chart + " is not a decodable image");
            assertTrue(image.getWidth() >= 600 && image.getHeight() >= 300,
                    chart + " is " + image.getWidth() + "x" + image.getHeight());
        }
        List<String> lines = Files.readAllLines(dir.resolve(Report.REQUESTS));
        assertEquals(requests, lines.size());
        List<RequestResult> results = lines.stream().map(ReportTest::result).toList();
        JsonNode summary = Json.MAPPER.readTree(dir.resolve(Report.SUMMARY).toFile());
        assertEquals(requests, summary.path("totals").path("requests").asInt());
        assertEquals(results.stream().filter(RequestResult::ok).count(), summary.path("totals").path("ok").asLong());
        assertEquals(results.stream().mapToLong(RequestResult::outputTokens).sum(),
                summary.path("totals").path("output_tokens").asLong());
        long drafted = results.stream().filter(result -> result.speculative() != null)
                .mapToLong(result -> result.speculative().draftedTokens()).sum();
        assertEquals(drafted, summary.path("totals").path("drafted_tokens").asLong());
        String html = Files.readString(dir.resolve(Report.HTML));
        assertEquals(CHARTS.size(), html.split("data:image/png;base64,", -1).length - 1, "every chart embedded");
        assertTrue(html.contains("<table>"));
    }

    private static RequestResult result(String line) {
        try {
            return Json.MAPPER.readValue(line, RequestResult.class);
        } catch (java.io.IOException e) {
            throw new AssertionError("not a result: " + line, e);
        }
    }

    @Test
    void writesResultsSummaryChartsAndPage() throws Exception {
        List<RequestResult> results = SampleRun.results();
        Summary summary = SampleRun.summary(dir);
        Report.write(dir, summary, results, SampleRun.snapshots(results));
        checkReport(dir, 40);
        assertEquals(results, Files.readAllLines(dir.resolve(Report.REQUESTS)).stream().map(ReportTest::result).toList(),
                "requests.jsonl reads back to the same results");
        String html = Files.readString(dir.resolve(Report.HTML));
        assertTrue(html.contains("Arm original unsupported by this server"), "unsupported arms are named");
        assertTrue(html.contains("2.00×"), "the speed-up over speculation off");
        assertTrue(html.contains("they agree"));
        assertTrue(html.contains("<td>0.00–1.00</td><td>2 / – / 18.0 / 180</td><td>0 / – / – / –</td><td>2 / 0.600 / 18.0 / 100</td>"),
                "the first window, per arm: requests / acceptance / tokens/s / p99 e2e");
    }

    @Test
    void aRunWithoutResponsesStillHasAReport() throws Exception {
        LoadTestConfig config = SampleRun.config(dir);
        Summary summary = Summary.of(config, config.workload(),
                new Summary.RunFacts("now", 0.5, java.util.Map.of(), 0), List.of(), List.of());
        Report.write(dir, summary, List.of(), List.of());
        checkReport(dir, 0);
    }

    @Test
    void htmlEscapesWhatTheServerSays() {
        assertEquals("&lt;b&gt; &amp; &quot;", HtmlReport.escape("<b> & \""));
    }
}
