package io.github.dl4jbayes.training;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A dataset size N below the number of examples of one pass over the data is warned about (the log goes to stderr). */
class AdviWarningsTest {

    private static String stderrOfFit(long datasetSize) {
        return CapturedStderr.of(() -> Advi.builder().datasetSize(datasetSize).iterations(3).printEvery(0).build()
                .fit(AdviTest.net(0.01, false), AdviTest.data(100)));
    }

    @Test
    void aDatasetSizeBelowOnePassOfTheDataIsWarnedAbout() {
        String warned = stderrOfFit(50);
        assertTrue(warned.contains("dataset size N = 50"), warned);
        assertFalse(stderrOfFit(100).contains("dataset size N ="));
    }

    @Test
    void theCheckCountsOnePass() {
        assertFalse(Advi.warnIfMoreThanN(100, 100));
        assertTrue(Advi.warnIfMoreThanN(101, 100));
    }
}
