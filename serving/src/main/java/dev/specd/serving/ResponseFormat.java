package dev.specd.serving;

import dev.specd.serving.api.Responses.Speculative;
import dev.specd.serving.api.Responses.Usage;
import java.util.List;

/** How one endpoint shapes its answers: the whole response, and the chunks of a stream. */
interface ResponseFormat {

    /** Identity shared by a response and all its chunks. */
    record Header(String id, long created, String model) {}

    /** A finished choice: its text as shown and its finish_reason. */
    record Choice(String text, String finishReason) {}

    static ResponseFormat of(Endpoint endpoint) {
        return switch (endpoint) {
            case COMPLETIONS -> new CompletionFormat();
            case CHAT_COMPLETIONS -> new ChatFormat();
        };
    }

    /** The text shown for generated text that starts at the reply's start or not. */
    String shown(String text, boolean atStart);

    Object response(Header header, List<Choice> choices, Usage usage, Speculative speculative);

    /**
     * One chunk for one choice.
     *
     * @param first the choice's first chunk
     * @param finishReason null until the choice ends
     * @param speculative only on the stream's last chunk
     */
    Object chunk(Header header, int choice, String text, boolean first, String finishReason, Speculative speculative);

    /** The last chunk when usage was asked for: no choices, the usage of the whole request. */
    Object usageChunk(Header header, Usage usage, Speculative speculative);
}
