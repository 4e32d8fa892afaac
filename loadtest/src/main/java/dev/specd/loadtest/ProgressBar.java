package dev.specd.loadtest;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * One line of load-test progress on stderr: rewritten in place with {@code \r} on a terminal,
 * otherwise printed as a new line every {@code interval} (for logs and CI).
 */
final class ProgressBar {

    private static final int WIDTH = 24;

    /** What the line shows. {@code acceptance} and {@code draftVersion} are null until known. */
    record Progress(double fraction, double elapsedS, double durationS, long sent, long ok, long errors, int running,
            String phase, Double acceptance, String draftVersion) {}

    private final PrintStream out;
    private final boolean terminal;
    private final Duration interval;
    private long lastPrinted = Long.MIN_VALUE;

    ProgressBar(PrintStream out, boolean terminal, Duration interval) {
        this.out = out;
        this.terminal = terminal;
        this.interval = interval;
    }

    /** stderr; in place on a terminal, otherwise a line every 10 s. */
    static ProgressBar onStandardError() {
        java.io.Console console = System.console();
        return new ProgressBar(System.err, console != null && console.isTerminal(), Duration.ofSeconds(10));
    }

    /** Shows the progress, unless the last line was printed too recently; {@code last} always prints. */
    void show(Progress progress, boolean last) {
        long now = System.nanoTime();
        if (!last && lastPrinted != Long.MIN_VALUE && now - lastPrinted < (terminal ? 0 : interval.toNanos())) {
            return;
        }
        lastPrinted = now;
        if (terminal) {
            out.print("\r" + line(progress) + "\u001b[K" + (last ? "\n" : ""));
        } else {
            out.println(line(progress));
        }
        out.flush();
    }

    static String line(Progress progress) {
        int filled = (int) Math.round(WIDTH * Math.min(1, Math.max(0, progress.fraction())));
        return String.format(Locale.ROOT, "loadtest [%s%s] %3.0f%%  %.0f/%.0f s  sent %d  ok %d  errors %d  running %d"
                        + "  phase %s  acceptance %s  draft %s",
                "#".repeat(filled), ".".repeat(WIDTH - filled), 100 * Math.min(1, progress.fraction()),
                progress.elapsedS(), progress.durationS(), progress.sent(), progress.ok(), progress.errors(),
                progress.running(), progress.phase(),
                progress.acceptance() == null ? "-" : String.format(Locale.ROOT, "%.2f", progress.acceptance()),
                progress.draftVersion() == null ? "-" : progress.draftVersion());
    }
}
