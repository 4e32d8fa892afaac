package dev.specd.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerSentEventsTest {

    private static List<String> events(String... lines) {
        ServerSentEvents parser = new ServerSentEvents();
        List<String> events = new ArrayList<>();
        for (String line : lines) {
            parser.line(line).ifPresent(events::add);
        }
        return events;
    }

    @Test
    void dataLinesUpToABlankLineAreAnEvent() {
        assertEquals(List.of("{\"a\":1}", "[DONE]"), events("data: {\"a\":1}", "", "data: [DONE]", ""));
    }

    @Test
    void severalDataLinesJoinWithNewlines() {
        assertEquals(List.of("one\ntwo"), events("data: one", "data: two", ""));
    }

    @Test
    void commentsOtherFieldsAndEmptyEventsAreSkipped() {
        assertEquals(List.of("x"), events(": keep-alive", "", "event: message", "id: 7", "retry: 10", "", "data: x",
                "", ""));
    }

    @Test
    void onlyOneLeadingSpaceIsStripped() {
        assertEquals(List.of("x", "  y", ""), events("data:x", "", "data:   y", "", "data", ""));
    }

    @Test
    void anEventWithoutItsBlankLineIsNotEmitted() {
        assertEquals(List.of(), events("data: cut off"));
    }
}
