package dev.specd.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** {@code specd bench}: the projection benchmark's report, and bad options named before any work. */
class BenchCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void projectionReportsEveryInputCountForEveryFootprint() throws Exception {
        assertEquals(0, run("bench", "projection", "--rows", "128", "--columns", "64", "--footprint-mb", "0,1",
                "--iterations", "5", "--warmup-ms", "0"), err.toString());

        JsonNode report = new ObjectMapper().readTree(out.toString());
        assertEquals("projection", report.path("benchmark").asText());
        assertEquals(Runtime.getRuntime().availableProcessors(), report.path("cpus").asInt());
        JsonNode results = report.path("results");
        assertEquals(12, results.size(), "six input counts for each of two footprints: " + report);
        for (int i = 0; i < results.size(); i++) {
            JsonNode result = results.get(i);
            assertEquals(i % 6 + 1, result.path("inputs").asInt());
            int copies = i < 6 ? 1 : 64; // 1 MiB of 16 KiB matrices
            assertEquals(copies, result.path("copies").asInt(), result.toString());
            assertTrue(result.path("medianMicros").asDouble() > 0, result.toString());
        }
    }

    @Test
    void badOptionsAreUsageErrorsThatNameTheProblem() {
        assertRefused("rows, columns and iterations must be positive", "bench", "projection", "--rows", "0");
        assertRefused("footprint -1048576 bytes", "bench", "projection", "--footprint-mb", "-1");
        assertRefused("warm-up -1 ms", "bench", "projection", "--warmup-ms", "-1");
        assertRefused("iterations must be positive, got 0", "bench", "model", "--iterations", "0");
    }

    /** The command exits with picocli's usage-error status, names the problem and prints no report. */
    private void assertRefused(String message, String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        assertEquals(2, run(args), String.join(" ", args));
        assertTrue(err.toString().contains(message), err.toString());
        assertEquals("", out.toString(), "no report for a refused run");
    }

    private int run(String... args) {
        var commandLine = SpecdCommand.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }
}
