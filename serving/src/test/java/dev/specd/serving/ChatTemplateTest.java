package dev.specd.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.specd.serving.ChatTemplate.Message;
import dev.specd.serving.ChatTemplate.Role;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChatTemplateTest {

    @Test
    void rendersOneLinePerMessageAndEndsWhereTheAssistantReplies() {
        String prompt = ChatTemplate.render(List.of(new Message(Role.SYSTEM, "You are terse."),
                new Message(Role.USER, "What is 2 + 2?"), new Message(Role.ASSISTANT, "4"),
                new Message(Role.USER, "And 3 + 3?")));
        assertEquals("System: You are terse.\nUser: What is 2 + 2?\nAssistant: 4\nUser: And 3 + 3?\nAssistant:", prompt);
    }

    @Test
    void theReplyLosesTheSpaceThatSeparatesItFromItsRoleOnlyAtItsStart() {
        assertEquals("Hello there", ChatTemplate.reply(" Hello there", true));
        assertEquals(" there", ChatTemplate.reply(" there", false));
        assertEquals(" two spaces", ChatTemplate.reply("  two spaces", true));
        assertEquals("", ChatTemplate.reply("", true));
    }
}
