package dev.specd.loadtest;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * A configuration of speculation that the load test compares. The arms' requests are interleaved in
 * one run, so that whatever else the machine does slows them alike.
 */
public enum Arm {

    /** Plain decoding: {@code "speculative": {"enabled": false}}. */
    OFF("speculation off"),
    /**
     * The draft the server started with, pinned by {@code "speculative": {"draft_version": V}}: the
     * baseline the adapting draft must beat. A server without that field refuses it, and the arm is
     * reported as unsupported.
     */
    ORIGINAL("original draft"),
    /** The server's default: the live draft, promoted by the online trainer as it adapts. */
    ADAPTIVE("adapting draft");

    private final String description;

    Arm(String description) {
        this.description = description;
    }

    /** The arm's name on the command line and in the report. */
    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public String description() {
        return description;
    }

    public static Arm ofLabel(String label) {
        return valueOf(label.trim().toUpperCase(Locale.ROOT));
    }

    /** Adds this arm's {@code speculative} request field to {@code body}; the adapting arm sends none. */
    void addSpeculativeField(ObjectNode body, String originalDraftVersion) {
        switch (this) {
            case OFF -> body.putObject("speculative").put("enabled", false);
            case ORIGINAL -> body.putObject("speculative").put("draft_version", originalDraftVersion);
            case ADAPTIVE -> { }
        }
    }
}
