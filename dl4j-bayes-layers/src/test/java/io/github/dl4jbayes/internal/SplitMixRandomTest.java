package io.github.dl4jbayes.internal;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The layers' noise generator must give SplittableRandom's values exactly (every documented trajectory was drawn
 * with SplittableRandom) and continue exactly from a saved state.
 */
class SplitMixRandomTest {

    @Test
    void givesSplittableRandomsValuesForEveryDrawTheLayersMake() {
        for (long seed : new long[]{0L, 1L, -7L, 0x9E3779B97F4A7C15L, Long.MIN_VALUE}) {
            SplittableRandom reference = new SplittableRandom(seed);
            SplitMixRandom ours = new SplitMixRandom(seed);
            for (int i = 0; i < 20_000; i++) {
                switch (i % 5) {
                    case 0:
                        assertEquals(reference.nextGaussian(), ours.nextGaussian(), "nextGaussian at " + i);
                        break;
                    case 1:
                        assertEquals(reference.nextInt(), ours.nextInt(), "nextInt at " + i);
                        break;
                    case 2:
                        assertEquals(reference.nextLong(), ours.nextLong(), "nextLong at " + i);
                        break;
                    case 3:
                        assertEquals(reference.nextDouble(), ours.nextDouble(), "nextDouble at " + i);
                        break;
                    default:
                        assertEquals(reference.nextInt(1 + i), ours.nextInt(1 + i), "nextInt(bound) at " + i);
                }
            }
        }
    }

    @Test
    void continuesExactlyFromASavedState() {
        SplitMixRandom a = new SplitMixRandom(42L);
        for (int i = 0; i < 1_001; i++) {
            a.nextGaussian();                 // the ziggurat consumes a variable number of longs per value
        }
        SplitMixRandom b = new SplitMixRandom(-1L);
        b.setState(a.state());
        for (int i = 0; i < 1_000; i++) {
            assertEquals(a.nextGaussian(), b.nextGaussian());
        }
    }
}
