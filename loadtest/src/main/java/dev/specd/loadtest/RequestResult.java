package dev.specd.loadtest;

/**
 * One request as the client saw it: a line of {@code requests.jsonl}. Times are in milliseconds,
 * measured from sending the request; {@code startS} is seconds from the start of the run.
 *
 * @param phase index of the workload phase it was sent in
 * @param httpStatus 0 when no response came
 * @param error the server's error message or the client's failure; null when OK
 * @param ttftMs to the first chunk with text; null without one
 * @param itlMs inter-token latency: from the first to the last text chunk, per token after the first
 *     (speculation delivers several tokens per chunk, so per-chunk gaps would not be per token);
 *     null with fewer than two tokens
 * @param e2eMs to {@code data: [DONE]}; null when the stream did not end
 * @param outputTokens the usage's completion tokens; 0 without usage
 * @param chunks events that carried text
 * @param speculative the response's speculation statistics; null without them
 */
public record RequestResult(long id, Arm arm, int phase, String domain, double startS, Outcome outcome, int httpStatus,
        String error, Double ttftMs, Double itlMs, Double e2eMs, int outputTokens, int promptTokens, int chunks,
        String finishReason, Speculative speculative) {

    /** Seconds from the start of the run to the end of the response (or to the start when unknown). */
    public double endS() {
        return startS + (e2eMs == null ? 0 : e2eMs / 1000);
    }

    /**
     * Output tokens per second after the first token, the rate speculation changes (the time to the
     * first token is prefill and queueing); null with fewer than two tokens.
     */
    public Double decodeTokensPerSecond() {
        return itlMs == null || itlMs <= 0 ? null : 1000 / itlMs;
    }

    public boolean ok() {
        return outcome == Outcome.OK;
    }

    /** What is known of a request once it is sent; the rest comes with its outcome. */
    record Sent(long id, Arm arm, int phase, String domain, double startS) {

        RequestResult result(Outcome outcome, int httpStatus, String error, Double ttftMs, Double itlMs, Double e2eMs,
                int outputTokens, int promptTokens, int chunks, String finishReason, Speculative speculative) {
            return new RequestResult(id, arm, phase, domain, startS, outcome, httpStatus, error, ttftMs, itlMs, e2eMs,
                    outputTokens, promptTokens, chunks, finishReason, speculative);
        }

        /** A request that produced nothing: an error status, or no response at all (status 0). */
        RequestResult failed(Outcome outcome, int httpStatus, String error) {
            return result(outcome, httpStatus, error, null, null, null, 0, 0, 0, null, null);
        }
    }
}
