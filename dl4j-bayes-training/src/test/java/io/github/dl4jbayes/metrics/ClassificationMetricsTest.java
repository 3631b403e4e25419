package io.github.dl4jbayes.metrics;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Hand-computed cases. */
class ClassificationMetricsTest {

    /** p = (0.9, 0.2, 0.6, 0.4), y = (1, 0, 0, 1). */
    private static ClassificationMetrics binary() {
        return ClassificationMetrics.of(Nd4j.createFromArray(0.9, 0.2, 0.6, 0.4).reshape(4, 1),
                Nd4j.createFromArray(1.0, 0.0, 0.0, 1.0).reshape(4, 1));
    }

    @Test
    void binaryByHand() {
        ClassificationMetrics m = binary();
        // predicted 1, 0, 1, 0: two of four right
        assertEquals(0.5, m.accuracy(), 1e-15);
        // -(log .9 + log .8 + log .4 + log .4) / 4
        assertEquals(-(Math.log(0.9) + Math.log(0.8) + 2 * Math.log(0.4)) / 4, m.negativeLogLikelihood(), 1e-12);
        // (.01 + .04 + .36 + .36) / 4
        assertEquals(0.1925, m.brierScore(), 1e-12);
        // confidences .9 (right), .8 (right), .6 (wrong), .6 (wrong); 10 bins: (0.8,0.9] holds .9, (0.7,0.8] holds .8,
        // (0.5,0.6] holds .6 twice: ECE = 1/4 |1 - .9| + 1/4 |1 - .8| + 2/4 |0 - .6| = .025 + .05 + .3
        assertEquals(0.375, m.expectedCalibrationError(10), 1e-12);
        ClassificationMetrics.Reliability r = m.reliability(10);
        assertArrayEquals(new int[]{0, 0, 0, 0, 0, 2, 0, 1, 1, 0}, r.counts());
        assertEquals(0.6, r.confidence()[5], 1e-12);
        assertEquals(0.0, r.accuracy()[5], 0.0);
        // one bin: |accuracy - mean confidence| = |.5 - .725|
        assertEquals(0.225, m.expectedCalibrationError(1), 1e-12);
    }

    @Test
    void multiclassByHand() {
        ClassificationMetrics m = ClassificationMetrics.of(
                Nd4j.createFromArray(new double[][]{{0.7, 0.2, 0.1}, {0.1, 0.3, 0.6}}),
                Nd4j.createFromArray(new double[][]{{1, 0, 0}, {0, 1, 0}}));
        assertEquals(0.5, m.accuracy(), 1e-15);
        assertEquals(-(Math.log(0.7) + Math.log(0.3)) / 2, m.negativeLogLikelihood(), 1e-12);
        // (.09 + .04 + .01 + .01 + .49 + .36) / 2
        assertEquals(0.5, m.brierScore(), 1e-12);
        // confidences .7 right, .6 wrong, 10 bins: 1/2 |1 - .7| + 1/2 |0 - .6|
        assertEquals(0.45, m.expectedCalibrationError(10), 1e-12);
    }

    @Test
    void perfectAndClipped() {
        ClassificationMetrics m = ClassificationMetrics.of(Nd4j.createFromArray(1.0, 0.0).reshape(2, 1),
                Nd4j.createFromArray(0.0, 1.0).reshape(2, 1));
        assertEquals(0.0, m.accuracy(), 0.0);
        assertEquals(-Math.log(ClassificationMetrics.LOG_CLIP), m.negativeLogLikelihood(), 1e-9);
        assertEquals(1.0, m.brierScore(), 0.0);
    }

    @Test
    void badInput() {
        assertThrows(IllegalArgumentException.class, () -> ClassificationMetrics.of(
                Nd4j.createFromArray(0.5, 0.5).reshape(2, 1), Nd4j.createFromArray(1.0, 0.0, 1.0).reshape(3, 1)));
        assertThrows(IllegalArgumentException.class, () -> ClassificationMetrics.of(
                Nd4j.createFromArray(1.5, 0.5).reshape(2, 1), Nd4j.createFromArray(1.0, 0.0).reshape(2, 1)));
        assertThrows(IllegalArgumentException.class, () -> ClassificationMetrics.of(
                Nd4j.createFromArray(Double.NaN, 0.5).reshape(2, 1), Nd4j.createFromArray(1.0, 0.0).reshape(2, 1)));
        assertThrows(IllegalArgumentException.class, () -> ClassificationMetrics.of(
                Nd4j.createFromArray(0.5, 0.5).reshape(2, 1), Nd4j.createFromArray(2.0, 0.0).reshape(2, 1)));
        assertThrows(IllegalArgumentException.class, () -> binary().expectedCalibrationError(0));
    }
}
