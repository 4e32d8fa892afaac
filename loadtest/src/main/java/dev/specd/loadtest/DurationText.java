package dev.specd.loadtest;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people write them on a command line: {@code 500ms}, {@code 60s}, {@code 2m}, {@code 1h}; a bare number is seconds. */
public final class DurationText {

    private static final Pattern FORMAT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");

    private DurationText() {}

    public static Duration parse(String text) {
        Matcher matcher = FORMAT.matcher(text.trim());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (examples: 500ms, 60s, 2m, 1h)");
        }
        double amount = Double.parseDouble(matcher.group(1));
        String unit = matcher.group(2) == null ? "s" : matcher.group(2);
        double millis = switch (unit) {
            case "ms" -> amount;
            case "s" -> amount * 1_000;
            case "m" -> amount * 60_000;
            case "h" -> amount * 3_600_000;
            default -> throw new IllegalStateException(unit);
        };
        return Duration.ofMillis(Math.round(millis));
    }
}
