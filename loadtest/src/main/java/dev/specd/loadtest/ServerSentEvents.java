package dev.specd.loadtest;

import java.util.Optional;

/**
 * Parses a server-sent event stream line by line (the WHATWG rules a client needs): an event is the
 * {@code data:} lines before a blank line, joined by newlines; comments ({@code :...}) and the
 * other fields ({@code event}, {@code id}, {@code retry}) are skipped. Not thread-safe.
 */
final class ServerSentEvents {

    private final StringBuilder data = new StringBuilder();
    private boolean hasData;

    /** Feeds one line without its terminator; returns the event's data when the line ends an event. */
    Optional<String> line(String line) {
        if (line.isEmpty()) {
            if (!hasData) {
                return Optional.empty();
            }
            String event = data.toString();
            data.setLength(0);
            hasData = false;
            return Optional.of(event);
        }
        if (line.startsWith(":")) {
            return Optional.empty();
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        if (field.equals("data")) {
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (hasData) {
                data.append('\n');
            }
            data.append(value.startsWith(" ") ? value.substring(1) : value);
            hasData = true;
        }
        return Optional.empty();
    }
}
