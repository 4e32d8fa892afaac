package dev.specd.serving;

/** The two generation endpoints: their path and the prefix of their response ids. */
public enum Endpoint {
    COMPLETIONS("/v1/completions", "cmpl-"),
    CHAT_COMPLETIONS("/v1/chat/completions", "chatcmpl-");

    private final String path;
    private final String idPrefix;

    Endpoint(String path, String idPrefix) {
        this.path = path;
        this.idPrefix = idPrefix;
    }

    public String path() {
        return path;
    }

    String idPrefix() {
        return idPrefix;
    }
}
