package dev.specd.trainer.pretrain;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * One line of training progress on stderr: rewritten in place with {@code \r} on a terminal,
 * otherwise printed as a new line every {@code interval} (for logs and CI).
 */
public final class ProgressBar implements Pretrainer.Listener {

    private static final int WIDTH = 24;

    private final PrintStream out;
    private final boolean terminal;
    private final Duration interval;
    private long lastPrinted = Long.MIN_VALUE;

    public ProgressBar(PrintStream out, boolean terminal, Duration interval) {
        this.out = out;
        this.terminal = terminal;
        this.interval = interval;
    }

    /** stderr; in place on a terminal, otherwise a line every 30 s. */
    public static ProgressBar onStandardError() {
        java.io.Console console = System.console();
        return new ProgressBar(System.err, console != null && console.isTerminal(), Duration.ofSeconds(30));
    }

    @Override
    public void onStep(Pretrainer.Progress progress) {
        long now = System.nanoTime();
        boolean last = progress.step() == progress.totalSteps();
        Duration wait = terminal ? Duration.ofMillis(200) : interval;
        if (!last && lastPrinted != Long.MIN_VALUE && now - lastPrinted < wait.toNanos()) {
            return;
        }
        lastPrinted = now;
        String line = line(progress);
        if (terminal) {
            out.print("\r" + line + "\u001b[K" + (last ? "\n" : ""));
        } else {
            out.println(line);
        }
        out.flush();
    }

    static String line(Pretrainer.Progress progress) {
        int filled = (int) ((long) WIDTH * progress.step() / progress.totalSteps());
        return String.format(Locale.ROOT, "%-6s [%s%s] %d/%d  loss %.3f  %,.0f tok/s  ETA %s",
                progress.model(), "#".repeat(filled), ".".repeat(WIDTH - filled), progress.step(),
                progress.totalSteps(), progress.lossAverage(), progress.tokensPerSecond(), clock(progress.remaining()));
    }

    static String clock(Duration duration) {
        long seconds = duration.toSeconds();
        return String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
    }
}
