package dev.specd.serving;

import dev.specd.serving.api.Responses;
import dev.specd.serving.api.Responses.AssistantMessage;
import dev.specd.serving.api.Responses.ChatChoice;
import dev.specd.serving.api.Responses.ChatChunkChoice;
import dev.specd.serving.api.Responses.Delta;
import dev.specd.serving.api.Responses.Speculative;
import dev.specd.serving.api.Responses.Usage;
import java.util.ArrayList;
import java.util.List;

/** /v1/chat/completions: {@code chat.completion} objects, {@code chat.completion.chunk} deltas. */
final class ChatFormat implements ResponseFormat {

    private static final String ASSISTANT = "assistant";

    @Override
    public String shown(String text, boolean atStart) {
        return ChatTemplate.reply(text, atStart);
    }

    @Override
    public Object response(Header header, List<Choice> choices, Usage usage, Speculative speculative) {
        List<ChatChoice> shown = new ArrayList<>(choices.size());
        for (int i = 0; i < choices.size(); i++) {
            shown.add(new ChatChoice(i, new AssistantMessage(ASSISTANT, choices.get(i).text()), choices.get(i).finishReason()));
        }
        return new Responses.ChatCompletion(header.id(), Responses.CHAT_COMPLETION, header.created(), header.model(), shown,
                usage, speculative);
    }

    @Override
    public Object chunk(Header header, int choice, String text, boolean first, String finishReason, Speculative speculative) {
        Delta delta = new Delta(first ? ASSISTANT : null, text);
        return chunk(header, List.of(new ChatChunkChoice(choice, delta, finishReason)), null, speculative);
    }

    @Override
    public Object usageChunk(Header header, Usage usage, Speculative speculative) {
        return chunk(header, List.of(), usage, speculative);
    }

    private static Responses.ChatChunk chunk(Header header, List<ChatChunkChoice> choices, Usage usage,
            Speculative speculative) {
        return new Responses.ChatChunk(header.id(), Responses.CHAT_COMPLETION_CHUNK, header.created(), header.model(),
                choices, usage, speculative);
    }
}
