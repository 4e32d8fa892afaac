package dev.specd.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specd.loadtest.Arm;
import dev.specd.loadtest.Arrivals;
import dev.specd.loadtest.Endpoint;
import dev.specd.loadtest.LoadTestConfig;
import dev.specd.loadtest.Sampling;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class LoadTestCommandTest {

    @Test
    void defaultsLoadTheLocalServerWithTheHeldOutPromptsShiftingToPython() {
        LoadTestConfig config = LoadTestCommand.parse();
        assertEquals(URI.create("http://127.0.0.1:8080/"), config.url());
        assertFalse(config.allowRemote());
        assertEquals(Path.of("loadtest-report"), config.out());
        assertEquals(Duration.ofSeconds(60), config.duration());
        assertEquals(10_000, config.maxRequests());
        assertEquals(new Arrivals.ClosedLoop(4, Duration.ZERO), config.arrivals());
        assertEquals(Path.of("models/heldout.jsonl"), config.prompts());
        assertEquals(List.of("english", "python"), config.phases());
        assertEquals(List.of(Arm.OFF, Arm.ORIGINAL, Arm.ADAPTIVE), config.arms());
        assertEquals("v0000", config.originalDraftVersion());
        assertEquals(new Sampling(64, 0, null, null), config.sampling());
        assertEquals(Endpoint.COMPLETIONS, config.endpoint());
        assertEquals(Duration.ofSeconds(2), config.scrapeInterval());
        assertNull(config.apiKey());
    }

    @Test
    void optionsOverrideTheDefaults() {
        LoadTestConfig config = LoadTestCommand.parse("--url", "http://localhost:9000", "--duration", "90s",
                "--mode", "open", "--rate", "3.5", "--max-requests", "50", "--phases", "java+english,man,python",
                "--arms", "off,adaptive", "--endpoint", "chat", "--max-tokens", "32", "--temperature", "0.8",
                "--top-p", "0.9", "--scrape-interval", "500ms", "--out", "x", "--workload", "a.jsonl",
                "--workload", "b.jsonl", "--allow-remote", "--api-key", "k");
        assertEquals(Duration.ofSeconds(90), config.duration());
        assertEquals(new Arrivals.OpenLoop(3.5), config.arrivals());
        assertEquals(50, config.maxRequests());
        assertEquals(List.of("java+english", "man", "python"), config.phases());
        assertEquals(List.of(Arm.OFF, Arm.ADAPTIVE), config.arms());
        assertEquals(Endpoint.CHAT, config.endpoint());
        assertEquals(new Sampling(32, 0.8, 0.9, null), config.sampling());
        assertEquals(Duration.ofMillis(500), config.scrapeInterval());
        assertEquals(List.of(Path.of("a.jsonl"), Path.of("b.jsonl")), config.workloadFiles());
        assertTrue(config.allowRemote());
        assertEquals("k", config.apiKey());
    }

    @Test
    void helpDocumentsEveryOptionWithItsDefault() {
        String help = new CommandLine(new LoadTestCommand()).getUsageMessage();
        for (String option : List.of("--url", "--allow-remote", "--out", "--duration", "--max-requests", "--drain",
                "--mode", "--users", "--think-time", "--rate", "--seed", "--endpoint", "--prompts", "--phases",
                "--workload", "--max-tokens", "--temperature", "--top-p", "--top-k", "--arms", "--original-draft",
                "--request-timeout", "--scrape-interval", "--api-key")) {
            assertTrue(help.contains(option), option + " missing from\n" + help);
        }
        assertTrue(help.contains("(default http://127.0.0.1:8080)"), help);
        assertTrue(help.contains("(default english,python)"), help);
    }

    @Test
    void aRemoteUrlFailsWithAMessageAndSendsNothing(@TempDir Path out) {
        PrintStream original = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            exit = SpecdCommand.commandLine().execute("loadtest", "--url", "http://192.0.2.1:8080", "--out",
                    out.toString());
        } finally {
            System.setErr(original);
        }
        String message = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, exit, message);
        assertTrue(message.contains("--allow-remote"), message);
    }
}
