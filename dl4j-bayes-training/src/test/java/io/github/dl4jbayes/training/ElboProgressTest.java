package io.github.dl4jbayes.training;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The progress line: the noisy single-draw ELBO, the window's mean, the speed and the time left. */
class ElboProgressTest {

    @Test
    void theLineCarriesTheWindowMeanTheSpeedAndTheTimeLeft() {
        assertEquals("Iteration 5000 [50%]: ELBO = -96.31 (mean of the last 1000: -98.12), 2,000 it/s, 2.5 s left",
                ElboListener.progressLine(5000, 10_000, -96.31, -98.12, 1000, 0.5));
        assertEquals("Iteration 5000: ELBO = -96.31 (mean of the last 1000: -98.12), 2,000 it/s",
                ElboListener.progressLine(5000, 0, -96.31, -98.12, 1000, 0.5));
        assertEquals("Iteration 100 [1%]: ELBO = -1.00 (mean of the last 100: -2.00), 10 it/s, 16 min 30 s left",
                ElboListener.progressLine(100, 10_000, -1, -2, 100, 10));
        assertTrue(ElboListener.progressLine(10_000, 10_000, -1, -2, 100, 1).endsWith("100 it/s"), "no time left at the end");
    }

    @Test
    void adviPrintsIt() {
        String log = CapturedStderr.of(() -> Advi.builder().datasetSize(100).iterations(30).printEvery(10).build()
                .fit(AdviTest.net(0.01, false), AdviTest.data(100)));
        assertTrue(log.contains("Iteration 20 [66%]: ELBO = "), log);
        assertTrue(log.contains("(mean of the last 10: ") && log.contains(" it/s, ") && log.contains(" s left"), log);
    }
}
