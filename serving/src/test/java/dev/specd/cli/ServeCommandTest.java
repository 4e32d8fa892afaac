package dev.specd.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specd.model.Backend;
import dev.specd.serving.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ServeCommandTest {

    @Test
    void defaultsServeTheBundledModelsOnLocalhost() {
        ServerConfig config = ServeCommand.parse();
        assertEquals("127.0.0.1", config.host());
        assertEquals(8080, config.port());
        assertEquals(Path.of("models/default"), config.models());
        assertEquals(Path.of("models/default/target"), config.targetDir());
        assertEquals(Path.of("models/default/draft"), config.draftDir());
        assertEquals(Path.of("data"), config.dataDir());
        assertEquals(ServerConfig.DrafterKind.MODEL, config.drafter());
        assertEquals(Duration.ofSeconds(300), config.requestTimeout());
        assertNull(config.apiKey());
        assertEquals(ServerConfig.TrainerMode.IN_PROCESS, config.trainer());
        assertTrue(config.trainsInProcess());
    }

    @Test
    void theTrainerIsInProcessOrOffAndNeverRunsWithoutADraftModel() {
        assertEquals(ServerConfig.TrainerMode.OFF, ServeCommand.parse("--trainer", "off").trainer());
        assertFalse(ServeCommand.parse("--trainer", "off").trainsInProcess());
        assertFalse(ServeCommand.parse("--drafter", "ngram").trainsInProcess());
        CommandLine.ParameterException refused = assertThrows(CommandLine.ParameterException.class,
                () -> ServeCommand.parse("--trainer", "elsewhere"));
        assertTrue(refused.getMessage().contains("in-process or off"), refused.getMessage());
    }

    @Test
    void theJavaBackendServesOnCpuAndDjlOnGpuUnlessNamed() {
        assertEquals(Backend.JAVA, ServeCommand.parse().backend());
        assertEquals(Backend.DJL, ServeCommand.parse("--device", "gpu").backend());
        assertEquals(Backend.DJL, ServeCommand.parse("--backend", "djl").backend());
        assertEquals(Backend.JAVA, ServeCommand.parse("--device", "cpu", "--backend", "JAVA").backend());
    }

    @Test
    void optionsOverrideTheDefaultsAndDrafterKindsIgnoreCase() {
        ServerConfig config = ServeCommand.parse("--port", "9000", "--drafter", "ngram", "--max-batch", "2", "--queue", "5",
                "--api-key", "k", "--request-timeout", "7", "--max-body", "100", "--dtype", "float16");
        assertEquals(9000, config.port());
        assertEquals(ServerConfig.DrafterKind.NGRAM, config.drafter());
        assertEquals(2, config.maxBatch());
        assertEquals(5, config.queue());
        assertEquals("k", config.apiKey());
        assertEquals(Duration.ofSeconds(7), config.requestTimeout());
        assertEquals(100, config.maxBodyBytes());
        assertEquals("float16", config.dtype());
    }

    @Test
    void draftTokenBoundsDefaultToAdaptiveAndRefuseAnEmptyRange() {
        ServerConfig defaults = ServeCommand.parse();
        assertEquals(0, defaults.minDraftTokens(), "adaptive speculation may fall back to plain decoding");
        assertEquals(8, defaults.maxDraftTokens());
        ServerConfig pinned = ServeCommand.parse("--min-draft-tokens", "3", "--max-draft-tokens", "3");
        assertEquals(3, pinned.minDraftTokens());
        assertEquals(3, pinned.maxDraftTokens());
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> ServeCommand.parse("--min-draft-tokens", "5", "--max-draft-tokens", "4"));
        assertTrue(refused.getMessage().contains("--min-draft-tokens"), refused.getMessage());
    }

    @Test
    void helpDocumentsEveryOptionWithItsDefault() {
        String help = new CommandLine(new ServeCommand()).getUsageMessage();
        for (String option : List.of("--host", "--port", "--models", "--data-dir", "--drafter", "--max-batch", "--queue",
                "--api-key", "--admin-key", "--request-timeout", "--max-body", "--dtype", "--device", "--min-draft-tokens",
                "--max-draft-tokens",
                "--shutdown-grace", "--trainer")) {
            assertTrue(help.contains(option), option + " missing from\n" + help);
        }
        assertTrue(help.contains("(default 127.0.0.1)"), help);
        assertTrue(help.contains("(default models/default)"), help);
        assertTrue(help.contains("(default in-process)"), help);
    }

    @Test
    void missingModelsFailWithTheDirectoryAndTheCommandThatMakesThem(@TempDir Path empty) {
        PrintStream original = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            exit = SpecdCommand.commandLine().execute("serve", "--port", "0", "--models", empty.toString());
        } finally {
            System.setErr(original);
        }
        String message = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, exit, message);
        assertTrue(message.contains(empty.resolve("target").toString()), message);
        assertTrue(message.contains("./specd pretrain"), message);
    }
}
