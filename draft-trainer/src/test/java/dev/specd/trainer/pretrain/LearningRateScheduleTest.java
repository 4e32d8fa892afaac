package dev.specd.trainer.pretrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {

    private static final double EXACT = 1e-12;

    @Test
    void warmsUpLinearlyToThePeak() {
        LearningRateSchedule schedule = new LearningRateSchedule(1e-3, 1e-4, 10, 110);
        assertEquals(1e-4, schedule.at(0), EXACT);
        assertEquals(5e-4, schedule.at(4), EXACT);
        assertEquals(1e-3, schedule.at(9), EXACT);
        assertEquals(1e-3, schedule.at(10), EXACT, "decay starts from the peak");
    }

    @Test
    void cosineDecaysToTheMinimumAtTheLastStep() {
        LearningRateSchedule schedule = new LearningRateSchedule(1e-3, 1e-4, 10, 111);
        assertEquals(5.5e-4, schedule.at(60), EXACT, "half way through the decay: the mean of peak and minimum");
        assertEquals(1e-4, schedule.at(110), EXACT);
        for (int step = 11; step <= 110; step++) {
            assertTrue(schedule.at(step) < schedule.at(step - 1), "decreasing at step " + step);
        }
        assertEquals(1e-4, schedule.at(500), EXACT, "past the end it stays at the minimum");
    }

    @Test
    void rejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(0, 0, 1, 10));
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(1e-3, 1e-2, 1, 10));
    }
}
