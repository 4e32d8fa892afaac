package dev.specd.trainer.pretrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

    @Test
    void oneLineWithStepLossSpeedAndEta() {
        String line = ProgressBar.line(new Pretrainer.Progress("target", 250, 1000, 3.2, 3.4567, 512_000, 1234.4,
                Duration.ofSeconds(3725)));
        assertEquals("target [######..................] 250/1000  loss 3.457  1,234 tok/s  ETA 1:02:05", line);
    }

    @Test
    void aTerminalIsRewrittenInPlaceAndALogGetsPeriodicLines() {
        ByteArrayOutputStream terminal = new ByteArrayOutputStream();
        ProgressBar inPlace = new ProgressBar(new PrintStream(terminal, true, StandardCharsets.UTF_8), true, Duration.ZERO);
        inPlace.onStep(progress(1, 2));
        inPlace.onStep(progress(2, 2));
        String shown = terminal.toString(StandardCharsets.UTF_8);
        assertTrue(shown.startsWith("\r") && shown.endsWith("\n") && shown.indexOf('\n') == shown.length() - 1, shown);

        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ProgressBar periodic = new ProgressBar(new PrintStream(log, true, StandardCharsets.UTF_8), false,
                Duration.ofHours(1));
        for (int step = 1; step <= 10; step++) {
            periodic.onStep(progress(step, 10));
        }
        String[] lines = log.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(2, lines.length, "the first step, then nothing until the last");
        assertTrue(lines[1].contains("10/10"));
    }

    private static Pretrainer.Progress progress(int step, int total) {
        return new Pretrainer.Progress("draft", step, total, 1, 1, step * 100L, 100, Duration.ZERO);
    }
}
