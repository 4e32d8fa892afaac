package dev.specd.loadtest;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** How a request ended, as the client saw it. */
public enum Outcome {
    /** The stream ended with {@code data: [DONE]}. */
    OK,
    /** The server answered with an error status. */
    HTTP_ERROR,
    /** The connection failed, timed out, or the stream broke off. */
    FAILED,
    /** Still running when the drain time ran out, so the load test cut it off. */
    CANCELLED;

    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
