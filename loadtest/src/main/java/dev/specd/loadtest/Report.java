package dev.specd.loadtest;

import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes the report directory: requests.jsonl, summary.json, the charts' PNGs and report.html. */
final class Report {

    static final String REQUESTS = "requests.jsonl";
    static final String SUMMARY = "summary.json";
    static final String HTML = "report.html";

    private Report() {}

    static void write(Path dir, Summary summary, List<RequestResult> results, List<MetricsSnapshot> snapshots)
            throws IOException {
        Files.createDirectories(dir);
        try (BufferedWriter out = Files.newBufferedWriter(dir.resolve(REQUESTS), StandardCharsets.UTF_8)) {
            for (RequestResult result : results) {
                out.write(Json.MAPPER.writeValueAsString(result));
                out.newLine();
            }
        }
        Json.MAPPER.writer().with(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve(SUMMARY).toFile(), summary);
        List<Charts.Chart> charts = Charts.draw(summary, snapshots);
        for (Charts.Chart chart : charts) {
            Files.write(dir.resolve(chart.file()), chart.png());
        }
        Files.writeString(dir.resolve(HTML), HtmlReport.render(summary, charts));
    }
}
