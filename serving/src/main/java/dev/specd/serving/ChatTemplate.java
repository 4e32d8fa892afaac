package dev.specd.serving;

import java.util.List;

/**
 * The chat template: a plain-text transcript that small base models (trained on ordinary text,
 * with no special chat tokens) continue naturally.
 *
 * <pre>
 * System: You are terse.
 * User: What is 2 + 2?
 * Assistant: 4
 * User: And 3 + 3?
 * Assistant:
 * </pre>
 *
 * One line per message, {@code Role: content}, and the prompt ends with {@code Assistant:} for the
 * model to continue. The reply ends at the model's EOS, at max_tokens, at the request's stops, or
 * at {@code "\nUser:"}, the implicit stop: a model that starts the user's next turn is done. The
 * space a tokenizer puts in front of the reply's first word belongs to the transcript, not to the
 * reply, so one leading space is removed from the reply. Documented in docs/chat-template.md.
 */
public final class ChatTemplate {

    /** Where the model's reply begins. */
    public static final String ASSISTANT_PREFIX = "Assistant:";
    /** Ends the reply when the model starts the next user turn. */
    public static final String IMPLICIT_STOP = "\nUser:";

    public enum Role {
        SYSTEM("System"), USER("User"), ASSISTANT("Assistant");

        private final String label;

        Role(String label) {
            this.label = label;
        }
    }

    public record Message(Role role, String content) {}

    private ChatTemplate() {}

    public static String render(List<Message> messages) {
        StringBuilder prompt = new StringBuilder();
        for (Message message : messages) {
            prompt.append(message.role().label).append(": ").append(message.content()).append('\n');
        }
        return prompt.append(ASSISTANT_PREFIX).toString();
    }

    /** The reply's text as shown: one leading space dropped if {@code text} is where the reply starts. */
    public static String reply(String text, boolean atStart) {
        return atStart && text.startsWith(" ") ? text.substring(1) : text;
    }
}
