package dev.specd.serving;

import dev.specd.serving.api.Responses;
import dev.specd.serving.api.Responses.CompletionChoice;
import dev.specd.serving.api.Responses.Speculative;
import dev.specd.serving.api.Responses.Usage;
import java.util.ArrayList;
import java.util.List;

/** /v1/completions: {@code text_completion} objects, streamed chunks of the same shape. */
final class CompletionFormat implements ResponseFormat {

    @Override
    public String shown(String text, boolean atStart) {
        return text;
    }

    @Override
    public Object response(Header header, List<Choice> choices, Usage usage, Speculative speculative) {
        List<CompletionChoice> shown = new ArrayList<>(choices.size());
        for (int i = 0; i < choices.size(); i++) {
            shown.add(new CompletionChoice(i, choices.get(i).text(), choices.get(i).finishReason()));
        }
        return completion(header, shown, usage, speculative);
    }

    @Override
    public Object chunk(Header header, int choice, String text, boolean first, String finishReason, Speculative speculative) {
        return completion(header, List.of(new CompletionChoice(choice, text, finishReason)), null, speculative);
    }

    @Override
    public Object usageChunk(Header header, Usage usage, Speculative speculative) {
        return completion(header, List.of(), usage, speculative);
    }

    private static Responses.Completion completion(Header header, List<CompletionChoice> choices, Usage usage,
            Speculative speculative) {
        return new Responses.Completion(header.id(), Responses.TEXT_COMPLETION, header.created(), header.model(), choices,
                usage, speculative);
    }
}
