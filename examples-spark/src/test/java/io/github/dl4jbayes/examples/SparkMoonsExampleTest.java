package io.github.dl4jbayes.examples;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The spark-moons example end to end on local[2], shortened: every test row predicted, a classifier that learned. */
class SparkMoonsExampleTest {

    @Test
    void runsOnLocalSpark() {
        SparkMoonsExample.Result result = SparkMoonsExample.run(Options.parse(new String[]{"--master", "local[2]",
                "--epochs", "8", "--repeat", "5", "--averaging", "5", "--ppc-samples", "50"}));
        assertEquals(500, result.predictedRows());
        assertTrue(Double.isFinite(result.finalElbo()));
        // 200 Adam steps per worker: far from the full run's 96%, far above the 50% of guessing
        assertTrue(result.accuracy() > 0.75, "accuracy " + result.accuracy());
        assertTrue(result.negativeLogLikelihood() < Math.log(2), "NLL " + result.negativeLogLikelihood());
    }
}
