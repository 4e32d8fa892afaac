package dev.specd.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationTextTest {

    @Test
    void readsTheUsualUnits() {
        assertEquals(Duration.ofMillis(500), DurationText.parse("500ms"));
        assertEquals(Duration.ofSeconds(60), DurationText.parse("60s"));
        assertEquals(Duration.ofSeconds(60), DurationText.parse("60"));
        assertEquals(Duration.ofMillis(1500), DurationText.parse("1.5s"));
        assertEquals(Duration.ofMinutes(2), DurationText.parse("2m"));
        assertEquals(Duration.ofHours(1), DurationText.parse(" 1h "));
    }

    @Test
    void refusesWhatItCannotRead() {
        assertThrows(IllegalArgumentException.class, () -> DurationText.parse("soon"));
        assertThrows(IllegalArgumentException.class, () -> DurationText.parse("-5s"));
        assertThrows(IllegalArgumentException.class, () -> DurationText.parse("5d"));
    }
}
