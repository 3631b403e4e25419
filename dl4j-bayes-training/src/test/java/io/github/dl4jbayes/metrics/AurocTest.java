package io.github.dl4jbayes.metrics;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * AUROC against values counted by hand over all (in, out) pairs: a win of the out score counts 1, a tie 1/2.
 */
class AurocTest {

    @Test
    void perfectSeparationIsOne() {
        assertEquals(1.0, Auroc.of(new double[]{0.1, 0.2, 0.3}, new double[]{0.4, 0.9}), 0.0);
    }

    @Test
    void reversedSeparationIsZero() {
        assertEquals(0.0, Auroc.of(new double[]{0.4, 0.9}, new double[]{0.1, 0.2, 0.3}), 0.0);
    }

    @Test
    void constantScoreIsOneHalf() {
        assertEquals(0.5, Auroc.of(new double[]{2, 2, 2}, new double[]{2, 2}), 0.0);
    }

    @Test
    void interleavedScores() {
        // in {1, 3}, out {2, 4}: pairs (1,2) win, (1,4) win, (3,2) loss, (3,4) win -> 3/4
        assertEquals(0.75, Auroc.of(new double[]{1, 3}, new double[]{2, 4}), 0.0);
    }

    @Test
    void tiesCountHalf() {
        // in {1, 2, 3}, out {2, 3}:
        //   out 2: beats 1, ties 2, loses to 3 -> 1.5
        //   out 3: beats 1 and 2, ties 3       -> 2.5
        // (1.5 + 2.5) / (3 * 2) = 4 / 6
        assertEquals(4.0 / 6.0, Auroc.of(new double[]{1, 2, 3}, new double[]{2, 3}), 1e-15);
    }

    @Test
    void tiesAcrossManyExamples() {
        // in {0, 0, 1, 1}, out {0, 1, 1}:
        //   out 0: ties two 0s, loses to two 1s -> 1
        //   out 1 (twice): beats two 0s, ties two 1s -> 3 each
        // (1 + 3 + 3) / (4 * 3) = 7 / 12
        assertEquals(7.0 / 12.0, Auroc.of(new double[]{0, 0, 1, 1}, new double[]{0, 1, 1}), 1e-15);
    }

    @Test
    void singleExamples() {
        assertEquals(1.0, Auroc.of(new double[]{0}, new double[]{1}), 0.0);
        assertEquals(0.5, Auroc.of(new double[]{1}, new double[]{1}), 0.0);
        assertEquals(0.0, Auroc.of(new double[]{1}, new double[]{0}), 0.0);
    }

    @Test
    void orderOfTheInputDoesNotMatter() {
        // in {5, -1, 3}, out {3, 10}: out 3 beats -1, ties 3, loses to 5 -> 1.5; out 10 beats all -> 3; 4.5 / 6
        assertEquals(0.75, Auroc.of(new double[]{5, -1, 3}, new double[]{3, 10}), 0.0);
        assertEquals(0.75, Auroc.of(new double[]{3, 5, -1}, new double[]{10, 3}), 0.0);
    }

    @Test
    void infinitiesAndSignedZerosCompareAsNumbers() {
        // -0.0 and 0.0 tie; +inf ties +inf and beats the rest
        // in {-0.0, +inf}, out {0.0, +inf}: out 0.0 ties -0.0, loses to inf -> 0.5; out inf beats -0.0, ties inf -> 1.5
        assertEquals(0.5, Auroc.of(new double[]{-0.0, Double.POSITIVE_INFINITY},
                new double[]{0.0, Double.POSITIVE_INFINITY}), 0.0);
        assertEquals(1.0, Auroc.of(new double[]{Double.NEGATIVE_INFINITY}, new double[]{-1e300}), 0.0);
    }

    @Test
    void indArraysOfAnyVectorShape() {
        double expected = 4.0 / 6.0;
        assertEquals(expected, Auroc.of(Nd4j.createFromArray(1f, 2f, 3f), Nd4j.createFromArray(2f, 3f)), 1e-15);
        assertEquals(expected, Auroc.of(Nd4j.createFromArray(new double[][]{{1}, {2}, {3}}),
                Nd4j.createFromArray(new double[][]{{2, 3}})), 1e-15);
        // a view of a column of a matrix
        assertEquals(expected, Auroc.of(Nd4j.createFromArray(new double[][]{{1, 9}, {2, 9}, {3, 9}}).getColumn(0),
                Nd4j.createFromArray(2.0, 3.0)), 1e-15);
    }

    @Test
    void badArgumentsAreNamed() {
        assertMessage("inScores must not be empty", () -> Auroc.of(new double[0], new double[]{1}));
        assertMessage("outScores must not be empty", () -> Auroc.of(new double[]{1}, new double[0]));
        assertMessage("inScores must not be null", () -> Auroc.of(null, new double[]{1}));
        assertMessage("outScores must not be null", () -> Auroc.of(new double[]{1}, (double[]) null));
        assertMessage("inScores[1] is NaN", () -> Auroc.of(new double[]{1, Double.NaN}, new double[]{1}));
        assertMessage("outScores[0] is NaN", () -> Auroc.of(new double[]{1}, new double[]{Double.NaN}));
        assertMessage("outScores[0] is NaN", () -> Auroc.of(Nd4j.createFromArray(1.0),
                Nd4j.createFromArray(Double.NaN, 2.0)));
        assertMessage("inScores must be a vector", () -> Auroc.of(Nd4j.zeros(2, 3), Nd4j.createFromArray(1.0)));
        assertMessage("outScores must not be empty", () -> Auroc.of(Nd4j.createFromArray(1.0), Nd4j.empty()));
    }

    private static void assertMessage(String expected, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().contains(expected), "message '" + e.getMessage() + "' should contain '" + expected + "'");
    }
}
