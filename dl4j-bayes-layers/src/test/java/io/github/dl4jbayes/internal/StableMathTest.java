package io.github.dl4jbayes.internal;

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

    /**
     * The product-based sum of logarithms against a sum of {@code Math.log}: a million numbers spanning 1e-300 to
     * 1e300 (the rescaling and the direct path), the error within its bound of one rounding (1.1e-16) per number
     * (plus the reference's own rounding); NaN propagates.
     */
    @Test
    void logSumMatchesASumOfLogarithms() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        StableMath.LogSum sum = new StableMath.LogSum();
        double reference = 0.0;
        double magnitude = 0.0;
        int n = 1_000_000;
        for (int i = 0; i < n; i++) {
            double x = i % 1000 == 0 ? Math.pow(10, -300 + 600 * random.nextDouble())
                    : Math.exp(-8 + 6 * random.nextDouble());
            sum.add(x);
            double log = Math.log(x);
            reference += log;
            magnitude += Math.abs(log);
        }
        double bound = n * 1.2e-16 + 2 * Math.ulp(magnitude) * n / 100;
        assertEquals(reference, sum.value(), bound);
        StableMath.LogSum withNaN = new StableMath.LogSum();
        withNaN.add(0.5);
        withNaN.add(Double.NaN);
        withNaN.add(2.0);
        org.junit.jupiter.api.Assertions.assertTrue(Double.isNaN(withNaN.value()));
    }

    /** The bulk form reads exactly the first n numbers and gives bit for bit what adding them one by one gives. */
    @Test
    void logSumAddAllEqualsAddingOneByOne() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(6);
        double[] xs = new double[10_000];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = i % 97 == 0 ? Math.pow(10, -300 + 600 * random.nextDouble()) : Math.exp(-8 + 6 * random.nextDouble());
        }
        StableMath.LogSum one = new StableMath.LogSum();
        for (int i = 0; i < 9_000; i++) {
            one.add(xs[i]);
        }
        StableMath.LogSum bulk = new StableMath.LogSum();
        bulk.addAll(xs, 4_000);
        double[] rest = java.util.Arrays.copyOfRange(xs, 4_000, xs.length);
        rest[5_000] = Double.NaN;                       // beyond n: must not be read
        bulk.addAll(rest, 5_000);
        assertEquals(one.value(), bulk.value(), 0.0);
    }
}
