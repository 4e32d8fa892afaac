package dev.specd.loadtest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a client learns from a completion stream, event by event: when text arrived, the usage and
 * the speculation statistics of the last chunk, the finish reason. Works for both endpoints (text
 * in {@code choices[].text} or {@code choices[].delta.content}). Not thread-safe.
 */
final class StreamTally {

    static final String DONE = "[DONE]";

    private final long sentNanos;
    private long firstTextNanos = -1;
    private long lastTextNanos = -1;
    private long doneNanos = -1;
    private int chunks;
    private int outputTokens;
    private int promptTokens;
    private String finishReason;
    private Speculative speculative;
    private String error;

    StreamTally(long sentNanos) {
        this.sentNanos = sentNanos;
    }

    /** One event's data, received at {@code nanos}. */
    void event(String data, long nanos) {
        if (data.equals(DONE)) {
            doneNanos = nanos;
            return;
        }
        JsonNode chunk;
        try {
            chunk = Json.MAPPER.readTree(data);
        } catch (JsonProcessingException e) {
            error = "an event is not JSON: " + abbreviate(data);
            return;
        }
        if (chunk.has("error")) {
            error = chunk.path("error").path("message").asText(chunk.get("error").toString());
        }
        boolean text = false;
        for (JsonNode choice : chunk.path("choices")) {
            String piece = choice.has("delta") ? choice.path("delta").path("content").asText("")
                    : choice.path("text").asText("");
            text |= !piece.isEmpty();
            if (choice.hasNonNull("finish_reason")) {
                finishReason = choice.get("finish_reason").asText();
            }
        }
        if (text) {
            chunks++;
            if (firstTextNanos < 0) {
                firstTextNanos = nanos;
            }
            lastTextNanos = nanos;
        }
        if (chunk.hasNonNull("usage")) {
            outputTokens = chunk.get("usage").path("completion_tokens").asInt();
            promptTokens = chunk.get("usage").path("prompt_tokens").asInt();
        }
        if (chunk.hasNonNull("speculative")) {
            try {
                speculative = Json.MAPPER.treeToValue(chunk.get("speculative"), Speculative.class);
            } catch (JsonProcessingException e) {
                error = "unreadable speculative object: " + chunk.get("speculative");
            }
        }
    }

    boolean done() {
        return doneNanos >= 0;
    }

    /** The request's result; a stream that did not reach [DONE] or carried an error is FAILED. */
    RequestResult result(RequestResult.Sent sent, int httpStatus) {
        Outcome outcome = done() && error == null ? Outcome.OK : Outcome.FAILED;
        String why = error != null ? error : done() ? null : "the stream ended before data: [DONE]";
        return sent.result(outcome, httpStatus, why, millis(firstTextNanos), interTokenMillis(),
                done() ? millis(doneNanos) : null, outputTokens, promptTokens, chunks, finishReason, speculative);
    }

    private Double interTokenMillis() {
        return outputTokens < 2 || firstTextNanos < 0 ? null
                : (lastTextNanos - firstTextNanos) / 1e6 / (outputTokens - 1);
    }

    private Double millis(long nanos) {
        return nanos < 0 ? null : (nanos - sentNanos) / 1e6;
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
