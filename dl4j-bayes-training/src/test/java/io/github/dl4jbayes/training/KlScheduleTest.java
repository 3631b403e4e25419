package io.github.dl4jbayes.training;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KlScheduleTest {

    @Test
    void linearWarmUpTimesTheTemperature() {
        KlSchedule s = new KlSchedule(4, 0.5);
        assertEquals(0.125, s.weightAt(1), 0.0);
        assertEquals(0.375, s.weightAt(3), 0.0);
        assertEquals(0.5, s.weightAt(4), 0.0);
        assertEquals(0.5, s.weightAt(1_000_000), 0.0);
        assertEquals(1.0, KlSchedule.none().weightAt(1), 0.0);
        assertEquals(250, KlSchedule.defaultWarmUp(1000));
    }

    @Test
    void badArgumentsNameTheArgument() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new KlSchedule(-1, 1))
                .getMessage().contains("warmUpSteps"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new KlSchedule(0, Double.NaN))
                .getMessage().contains("temperature"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new KlSchedule(0, 0))
                .getMessage().contains("temperature"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new KlSchedule(3, 1).weightAt(0))
                .getMessage().contains("step"));
    }
}
