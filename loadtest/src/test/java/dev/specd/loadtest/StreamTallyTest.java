package dev.specd.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class StreamTallyTest {

    private static final RequestResult.Sent SENT = new RequestResult.Sent(3, Arm.ADAPTIVE, 1, "python", 2.5);
    private static final long MS = 1_000_000;

    @Test
    void completionStreamGivesClientSideLatencies() {
        StreamTally tally = new StreamTally(1000 * MS);
        tally.event("{\"choices\":[{\"index\":0,\"text\":\"Hel\",\"finish_reason\":null}]}", 1040 * MS);
        tally.event("{\"choices\":[{\"index\":0,\"text\":\"lo wor\",\"finish_reason\":null}]}", 1070 * MS);
        tally.event("{\"choices\":[{\"index\":0,\"text\":\"ld\",\"finish_reason\":\"length\"}]}", 1100 * MS);
        tally.event("{\"choices\":[],\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":7,\"total_tokens\":11},"
                + "\"speculative\":{\"drafted_tokens\":10,\"accepted_tokens\":6,\"acceptance_rate\":0.6,"
                + "\"mean_accepted_length\":2.2,\"draft_version\":\"v0002\",\"drafter\":\"model\"}}", 1105 * MS);
        tally.event("[DONE]", 1110 * MS);
        RequestResult result = tally.result(SENT, 200);
        assertEquals(Outcome.OK, result.outcome());
        assertEquals(40.0, result.ttftMs(), 1e-9);
        assertEquals(10.0, result.itlMs(), 1e-9, "60 ms from first to last text over 6 later tokens");
        assertEquals(110.0, result.e2eMs(), 1e-9);
        assertEquals(7, result.outputTokens());
        assertEquals(4, result.promptTokens());
        assertEquals(3, result.chunks());
        assertEquals("length", result.finishReason());
        assertEquals(new Speculative(10, 6, 0.6, 2.2, "v0002", "model"), result.speculative());
        assertEquals(100.0, result.decodeTokensPerSecond(), 1e-9);
        assertEquals(2.61, result.endS(), 1e-9);
        assertEquals("python", result.domain());
    }

    @Test
    void chatDeltasCountAsText() {
        StreamTally tally = new StreamTally(0);
        tally.event("{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}", 5 * MS);
        tally.event("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":\"stop\"}]}", 9 * MS);
        tally.event("{\"choices\":[],\"usage\":{\"prompt_tokens\":2,\"completion_tokens\":1}}", 10 * MS);
        tally.event("[DONE]", 11 * MS);
        RequestResult result = tally.result(SENT, 200);
        assertEquals(9.0, result.ttftMs(), 1e-9, "the role-only chunk carries no text");
        assertNull(result.itlMs(), "one token has no inter-token latency");
        assertNull(result.speculative());
        assertEquals("stop", result.finishReason());
    }

    @Test
    void aStreamWithoutDoneOrWithAnErrorFails() {
        StreamTally cut = new StreamTally(0);
        cut.event("{\"choices\":[{\"index\":0,\"text\":\"a\"}]}", MS);
        RequestResult result = cut.result(SENT, 200);
        assertEquals(Outcome.FAILED, result.outcome());
        assertNull(result.e2eMs());
        assertEquals(1.0, result.ttftMs(), 1e-9);

        StreamTally error = new StreamTally(0);
        error.event("{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}", MS);
        error.event("[DONE]", 2 * MS);
        assertEquals("boom", error.result(SENT, 200).error());
        assertEquals(Outcome.FAILED, error.result(SENT, 200).outcome());
    }
}
