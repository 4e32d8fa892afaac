package dev.specd.loadtest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/** The generation endpoint requests go to, and how a prompt is put in its body. */
public enum Endpoint {

    COMPLETIONS("/v1/completions"),
    /** The prompt becomes the one user message. */
    CHAT("/v1/chat/completions");

    private final String path;

    Endpoint(String path) {
        this.path = path;
    }

    public String path() {
        return path;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** A request body with the prompt and its sampling parameters, nothing else. */
    ObjectNode body(Prompt prompt) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        switch (this) {
            case COMPLETIONS -> body.put("prompt", prompt.text());
            case CHAT -> body.putArray("messages").addObject().put("role", "user").put("content", prompt.text());
        }
        Sampling sampling = prompt.sampling();
        body.put("max_tokens", sampling.maxTokens());
        body.put("temperature", sampling.temperature());
        if (sampling.topP() != null) {
            body.put("top_p", sampling.topP());
        }
        if (sampling.topK() != null) {
            body.put("top_k", sampling.topK());
        }
        return body;
    }
}
