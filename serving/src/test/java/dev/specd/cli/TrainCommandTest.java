package dev.specd.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specd.serving.TinyModels;
import dev.specd.trainer.online.DraftRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code specd train}: the online trainer as a process of its own, on a data directory a server writes. */
class TrainCommandTest {

    @TempDir
    Path dir;

    @Test
    void registersTheBundledDraftAndWaitsForTrafficUntilItsTimeIsUp() throws Exception {
        Path models = TinyModels.write(dir.resolve("tiny"), 64);
        Path dataDir = dir.resolve("data");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int exit;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            exit = SpecdCommand.commandLine().execute("train", "--models", models.toString(), "--data-dir",
                    dataDir.toString(), "--run-for", "1");
        } finally {
            System.setOut(original);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, printed);
        assertTrue(printed.contains("after 0 steps, 0 promotions; serving version v0000"), printed);
        assertEquals("v0000", DraftRegistry.open(dataDir).current().orElseThrow().name());
        assertTrue(Files.isDirectory(dataDir.resolve("drafts/v0000")));
    }

    @Test
    void missingModelsFailWithTheDirectoryAndTheCommandThatMakesThem() {
        PrintStream original = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            exit = SpecdCommand.commandLine().execute("train", "--models", dir.toString(), "--data-dir",
                    dir.resolve("data").toString());
        } finally {
            System.setErr(original);
        }
        String message = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, exit, message);
        assertTrue(message.contains(dir.resolve("target").toString()) && message.contains("./specd pretrain"), message);
    }

    @Test
    void helpDocumentsEveryOption() {
        String help = new CommandLine(new TrainCommand()).getUsageMessage();
        for (String option : new String[] {"--data-dir", "--models", "--device", "--run-for"}) {
            assertTrue(help.contains(option), option + " missing from\n" + help);
        }
        assertTrue(help.contains("(default data)") && help.contains("models/default)"), help);
    }
}
