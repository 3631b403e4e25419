package io.github.dl4jbayes.training;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bookkeeping every training loop shares: the progress line (the noisy single-draw ELBO, the window's mean, the
 * speed and the time left), the trace, and the stop on divergence.
 */
class ElboProgressTest {

    @Test
    void theLineCarriesTheWindowMeanTheSpeedAndTheTimeLeft() {
        assertEquals("Iteration 5000 [50%]: ELBO = -96.31 (mean of the last 1000: -98.12), 2,000 it/s, 2.5 s left",
                ElboProgress.progressLine(5000, 10_000, -96.31, -98.12, 1000, 0.5));
        assertEquals("Iteration 5000: ELBO = -96.31 (mean of the last 1000: -98.12), 2,000 it/s",
                ElboProgress.progressLine(5000, 0, -96.31, -98.12, 1000, 0.5));
        assertEquals("Iteration 100 [1%]: ELBO = -1.00 (mean of the last 100: -2.00), 10 it/s, 16 min 30 s left",
                ElboProgress.progressLine(100, 10_000, -1, -2, 100, 10));
        assertTrue(ElboProgress.progressLine(10_000, 10_000, -1, -2, 100, 1).endsWith("100 it/s"), "no time left at the end");
    }

    @Test
    void adviPrintsIt() {
        String log = CapturedStderr.of(() -> Advi.builder().datasetSize(100).iterations(30).printEvery(10).build()
                .fit(AdviTest.net(0.01, false), AdviTest.data(100)));
        assertTrue(log.contains("Iteration 20 [66%]: ELBO = "), log);
        assertTrue(log.contains("(mean of the last 10: ") && log.contains(" it/s, ") && log.contains(" s left"), log);
    }

    @Test
    void recordsTheTraceAndStopsOnNaNOrInfinityWithoutRecordingIt() {
        ElboProgress progress = new ElboProgress(0, new ElboHistory(), "Lower the learning rate.").start(10);
        progress.record(1, -5.0);
        progress.record(2, -4.0);
        DivergenceException nan = assertThrows(DivergenceException.class, () -> progress.record(3, Double.NaN));
        assertEquals("Training diverged at iteration 3: the ELBO is NaN. Lower the learning rate.", nan.getMessage());
        assertThrows(DivergenceException.class, () -> progress.record(3, Double.NEGATIVE_INFINITY));
        assertEquals(2, progress.history().size());
        assertEquals(-4.0, progress.history().last());
    }

    @Test
    void aLineEveryPrintEveryStepsAndOneAtTheRunsEndWithTheSuffix() {
        String log = CapturedStderr.of(() -> {
            ElboProgress progress = new ElboProgress(4, new ElboHistory(), "-").lineSuffix(() -> " tau [0.5]")
                    .start(10);
            for (int step = 1; step <= 10; step++) {
                progress.record(100 + step, -step);
            }
        });
        assertTrue(log.contains("Iteration 4 [40%]: ELBO = -4.00 (mean of the last 4: -2.50)"), log);
        assertTrue(log.contains("Iteration 8 [80%]: ELBO = -8.00 (mean of the last 4: -6.50)"), log);
        assertTrue(log.contains("Iteration 10 [100%]: ELBO = -10.00 (mean of the last 2: -9.50)"), log);
        assertTrue(log.contains(" it/s tau [0.5]"), log);
        assertEquals(3, log.split("Iteration ", -1).length - 1, log);
    }
}
