package io.github.dl4jbayes.predict;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.github.dl4jbayes.training.AdviTest.net;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hand-computed cases for the uncertainty decomposition and the posterior summary. */
class UncertaintyAndSummaryTest {

    private static double h(double p) {
        return -(p * Math.log(p) + (1 - p) * Math.log(1 - p));
    }

    @Test
    void bernoulliDecomposition() {
        // two draws, two rows: row 0 the draws disagree (0.9 vs 0.1), row 1 they agree on 0.5
        double[][][] s = {{{0.9}, {0.5}}, {{0.1}, {0.5}}};
        ClassificationUncertainty u = ClassificationUncertainty.of(Nd4j.createFromArray(s));
        assertArrayEquals(new double[]{0.5, 0.5}, u.probabilities().reshape(2).toDoubleVector(), 1e-12);
        assertArrayEquals(new double[]{Math.log(2), Math.log(2)}, u.totalEntropy().toDoubleVector(), 1e-12);
        assertArrayEquals(new double[]{h(0.9), Math.log(2)}, u.expectedEntropy().toDoubleVector(), 1e-12);
        assertArrayEquals(new double[]{Math.log(2) - h(0.9), 0.0}, u.mutualInformation().toDoubleVector(), 1e-12);
    }

    @Test
    void categoricalDecomposition() {
        // one row, two draws of three classes, one certain of class 0, one certain of class 1
        double[][][] s = {{{1, 0, 0}}, {{0, 1, 0}}};
        ClassificationUncertainty u = ClassificationUncertainty.of(Nd4j.createFromArray(s));
        assertEquals(Math.log(2), u.totalEntropy().getDouble(0), 1e-9);
        assertEquals(0.0, u.expectedEntropy().getDouble(0), 1e-9);
        assertEquals(Math.log(2), u.mutualInformation().getDouble(0), 1e-9);
        assertThrows(IllegalArgumentException.class,
                () -> ClassificationUncertainty.of(Nd4j.createFromArray(new double[][][]{{{1.5}}})));
    }

    @Test
    void hdiIsTheShortestInterval() {
        double[] uniform = new double[100];
        for (int i = 0; i < 100; i++) {
            uniform[i] = i + 1;
        }
        // as ArviZ: floor(0.9 * 100) + 1 = 91 draws inside
        assertArrayEquals(new double[]{1, 91}, PosteriorSummary.hdi(uniform, 0.9), 0.0);
        assertArrayEquals(new double[]{1, 95}, PosteriorSummary.hdi(uniform, 0.94), 0.0);
        // skewed: nineteen zeros and one ten; the 90% HDI (19 draws) is the point 0
        double[] skewed = new double[20];
        skewed[7] = 10;
        assertArrayEquals(new double[]{0, 0}, PosteriorSummary.hdi(skewed, 0.9), 0.0);
        // nine zeros and one ten: floor(9) + 1 = 10 draws, all of them
        assertArrayEquals(new double[]{0, 10}, PosteriorSummary.hdi(java.util.Arrays.copyOf(skewed, 10), 0.9), 0.0);
        PosteriorSummary.Row row = PosteriorSummary.row("x", new double[]{1, 2, 3, 4}, 0.5);
        assertEquals(2.5, row.mean(), 1e-15);
        assertEquals(Math.sqrt(5.0 / 3.0), row.sd(), 1e-12);
        assertEquals(2.0, row.hdiHigh() - row.hdiLow(), 0.0, "floor(0.5 * 4) + 1 = 3 draws");
    }

    @Test
    void summaryOfANetwork(@TempDir Path dir) throws Exception {
        PosteriorSummary summary = PosteriorSummary.of(PosteriorDraws.sample(net(0.01, false), 2000, 1), 0.94);
        // layers 2x5 and 5x1 weights, no biases
        assertEquals(15, summary.rows().size());
        assertEquals("0_W[0,0]", summary.rows().get(0).name());
        String table = summary.toTable();
        assertTrue(table.contains("hdi_3%") && table.contains("hdi_97%") && table.contains("1_W[4,0]"), table);
        for (PosteriorSummary.Row r : summary.rows()) {
            assertTrue(r.hdiLow() < r.mean() && r.mean() < r.hdiHigh(), r.toString());
            // a normal's 94% interval spans about 2 x 1.88 sd
            assertEquals(2 * 1.881 * r.sd(), r.hdiHigh() - r.hdiLow(), 0.15 * 2 * 1.881 * r.sd());
        }
        Path csv = dir.resolve("summary.csv");
        summary.writeCsv(csv);
        assertEquals(16, Files.readAllLines(csv).size());
        assertThrows(IllegalArgumentException.class, () -> PosteriorSummary.of(PosteriorDraws.sample(net(0.01, false), 10, 1), 1.0));
    }
}
