package io.github.dl4jbayes.layers;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class StableMathTest {

    @Test
    void softplusIsStableAtTheExtremes() {
        assertEquals(1000.0, StableMath.softplus(1000.0), 0.0);
        assertEquals(Math.exp(-800.0), StableMath.softplus(-800.0), 0.0);
        assertEquals(Math.log(2), StableMath.softplus(0.0), 1e-16);
        assertEquals(Math.log1p(Math.exp(-3.0)), StableMath.softplus(-3.0), 1e-17);
    }

    @Test
    void sigmoidIsStableAtTheExtremes() {
        assertEquals(1.0, StableMath.sigmoid(800.0), 0.0);
        assertEquals(0.0, StableMath.sigmoid(-800.0), 1e-300);
        assertEquals(0.5, StableMath.sigmoid(0.0), 0.0);
    }

    @Test
    void inverseSoftplusInvertsSoftplus() {
        for (double y : new double[]{1e-8, 0.05, 1.0, 30.0, 500.0}) {
            assertEquals(y, StableMath.softplus(StableMath.inverseSoftplus(y)), y * 1e-12);
        }
        assertThrows(IllegalArgumentException.class, () -> StableMath.inverseSoftplus(0.0));
        assertThrows(IllegalArgumentException.class, () -> StableMath.inverseSoftplus(Double.NaN));
    }
}
