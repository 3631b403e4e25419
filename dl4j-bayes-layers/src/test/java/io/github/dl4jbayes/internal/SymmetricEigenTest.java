package io.github.dl4jbayes.internal;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SymmetricEigenTest {

    /** A V = V diag(lambda) and V^T V = I to rounding, at 320 x 320 (where ND4J's own decomposition is wrong). */
    @Test
    void decomposesALargeSymmetricMatrix() {
        int n = 320;
        SplittableRandom random = new SplittableRandom(3);
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                a[i][j] = random.nextGaussian();
                a[j][i] = a[i][j];
            }
        }
        SymmetricEigen e = SymmetricEigen.of(a);
        double[] values = e.values();
        double[][] v = e.vectors();
        double worst = 0;
        double orthogonality = 0;
        for (int c = 0; c < n; c++) {
            for (int i = 0; i < n; i++) {
                double av = 0;
                for (int k = 0; k < n; k++) {
                    av += a[i][k] * v[k][c];
                }
                worst = Math.max(worst, Math.abs(av - values[c] * v[i][c]));
            }
            for (int d = 0; d < n; d++) {
                double dot = 0;
                for (int k = 0; k < n; k++) {
                    dot += v[k][c] * v[k][d];
                }
                orthogonality = Math.max(orthogonality, Math.abs(dot - (c == d ? 1 : 0)));
            }
            if (c > 0) {
                assertTrue(values[c] >= values[c - 1], "ascending");
            }
        }
        // eigenvalues of a 320 x 320 standard-normal symmetric matrix are O(sqrt(n)) = O(18): rounding is ~1e-12
        assertTrue(worst < 1e-10, "|A v - lambda v| = " + worst);
        assertTrue(orthogonality < 1e-12, "|V^T V - I| = " + orthogonality);
    }

    @Test
    void smallCasesByHand() {
        assertArrayEquals(new double[]{1, 3}, SymmetricEigen.of(new double[][]{{2, 1}, {1, 2}}).values(), 1e-15);
        double[][] v = SymmetricEigen.of(new double[][]{{2, 1}, {1, 2}}).vectors();
        assertEquals(Math.abs(v[0][0]), Math.sqrt(0.5), 1e-15);
        assertEquals(-v[0][0], v[1][0], 1e-15, "(1, -1) / sqrt(2) for eigenvalue 1");
        assertArrayEquals(new double[]{-2, 5}, SymmetricEigen.of(new double[][]{{5, 0}, {0, -2}}).values(), 0);
        assertArrayEquals(new double[]{7}, SymmetricEigen.of(new double[][]{{7}}).values(), 0);
        assertArrayEquals(new double[]{0, 0, 0}, SymmetricEigen.of(new double[3][3]).values(), 0);
        assertThrows(IllegalArgumentException.class, () -> SymmetricEigen.of(new double[][]{{1, Double.NaN},
                {Double.NaN, 1}}));
        assertThrows(IllegalArgumentException.class, () -> SymmetricEigen.of(new double[][]{{1, 2}, {3}}));
    }
}
