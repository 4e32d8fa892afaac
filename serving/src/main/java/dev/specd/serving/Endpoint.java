package dev.specd.serving;

/** The two generation endpoints: their path, the prefix of their response ids and their query-log name. */
public enum Endpoint {
    COMPLETIONS("/v1/completions", "cmpl-", "completions"),
    CHAT_COMPLETIONS("/v1/chat/completions", "chatcmpl-", "chat.completions");

    private final String path;
    private final String idPrefix;
    private final String logName;

    Endpoint(String path, String idPrefix, String logName) {
        this.path = path;
        this.idPrefix = idPrefix;
        this.logName = logName;
    }

    public String path() {
        return path;
    }

    String idPrefix() {
        return idPrefix;
    }

    /** The endpoint as query-log records name it. */
    String logName() {
        return logName;
    }
}
