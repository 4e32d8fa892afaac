package dev.specd.serving.scheduler;

import dev.specd.verifier.StopCondition;

/** Why a generation left the scheduler. */
public enum Ending {
    /** An EOS token or a stop string. */
    STOP,
    /** max_tokens reached. */
    LENGTH,
    /** The client went away. */
    CANCELLED,
    /** The per-request timeout passed. */
    TIMEOUT,
    /** The server shut down before the generation finished. */
    SHUTDOWN,
    /** The forward pass failed. */
    FAILED;

    static Ending of(StopCondition.Finish finish) {
        return finish == StopCondition.Finish.MAX_TOKENS ? LENGTH : STOP;
    }

    /** Ended by the server before its stop condition: the output so far is all there is. */
    public boolean cutShort() {
        return this != STOP && this != LENGTH;
    }

    /** OpenAI's finish_reason; vLLM's "abort" for generations the server cut short. */
    public String finishReason() {
        return switch (this) {
            case STOP -> "stop";
            case LENGTH -> "length";
            default -> "abort";
        };
    }

    /** The reason tag of the finished-requests counter. */
    public String metricReason() {
        return switch (this) {
            case STOP -> "stop";
            case LENGTH -> "length";
            case CANCELLED -> "cancelled";
            case TIMEOUT, SHUTDOWN -> "abort";
            case FAILED -> "error";
        };
    }
}
