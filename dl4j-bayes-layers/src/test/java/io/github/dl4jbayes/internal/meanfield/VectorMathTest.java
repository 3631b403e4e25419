package io.github.dl4jbayes.internal.meanfield;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link VectorMath}'s functions against Java's double-precision ones over their whole domains (to 4 units in the
 * last place of single precision, 2^-22 relative, or absolute near zero crossings), NaN and infinity handling, and
 * the same bits from the first (interpreted) call as after the JIT has compiled the loop.
 */
class VectorMathTest {
    private static final int LANES = VectorMath.F.length();
    private static final double ULPS_4 = 4 * Math.ulp(1f);

    private interface Fn {
        FloatVector apply(FloatVector x);
    }

    private static float[] apply(Fn f, float[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i += LANES) {
            f.apply(FloatVector.fromArray(VectorMath.F, x, i)).intoArray(out, i);
        }
        return out;
    }

    private static float[] grid(double from, double to, int n) {
        int padded = (n + LANES - 1) / LANES * LANES;
        float[] x = new float[padded];
        for (int i = 0; i < padded; i++) {
            x[i] = (float) (from + (to - from) * Math.min(i, n - 1) / (n - 1));
        }
        return x;
    }

    @Test
    void theBuildResolvesTheVectorApi() {
        assertTrue(VectorSupport.modulePresent(), "the test JVM must be started with --add-modules "
                + "jdk.incubator.vector (the parent pom's surefire argLine), or the SIMD kernel goes untested");
    }

    @Test
    void expOfNonPositiveNumbers() {
        float[] x = grid(-87.3, 0, 100_000);
        float[] y = apply(VectorMath::expNonPositive, x);
        for (int i = 0; i < x.length; i++) {
            double expected = Math.exp(x[i]);
            assertEquals(expected, y[i], expected * ULPS_4, "exp(" + x[i] + ")");
        }
        float[] special = new float[LANES];
        special[0] = Float.NaN;
        special[1] = -1000f;
        special[2] = Float.NEGATIVE_INFINITY;
        float[] z = apply(VectorMath::expNonPositive, special);
        assertTrue(Float.isNaN(z[0]));
        assertTrue(z[1] > 0 && z[1] < 1.2e-38 && z[2] == z[1], "clamped at exp(-87.3): " + z[1]);
        assertEquals(1f, z[3]);
    }

    @Test
    void log1pOnTheUnitInterval() {
        float[] x = grid(0, 1, 100_000);
        x[1] = 1e-30f;
        x[2] = 3e-8f;
        float[] y = apply(VectorMath::log1pUnit, x);
        for (int i = 0; i < x.length; i++) {
            double expected = Math.log1p(x[i]);
            assertEquals(expected, y[i], expected * ULPS_4, "log1p(" + x[i] + ")");
        }
    }

    @Test
    void logOfNormalNumbers() {
        float[] x = new float[LANES * 4000];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.pow(2, -125.9 + 253.8 * i / (x.length - 1));        // 1.2e-38 .. 3e38
        }
        x[0] = Float.MIN_NORMAL;
        x[1] = 1f;
        x[2] = Math.nextUp(1f);
        x[3] = Math.nextDown(1f);
        float[] y = apply(VectorMath::log, x);
        for (int i = 0; i < x.length; i++) {
            double expected = Math.log(x[i]);
            // relative, or absolute near log = 0 where the result is as small as the input's distance to 1
            assertEquals(expected, y[i], Math.max(Math.abs(expected) * ULPS_4, 2 * Math.ulp(1f)), "log(" + x[i] + ")");
        }
        float[] special = new float[LANES];
        special[0] = Float.NaN;
        special[1] = Float.POSITIVE_INFINITY;
        special[2] = 1f;
        float[] z = apply(VectorMath::log, special);
        assertTrue(Float.isNaN(z[0]));
        assertEquals(Float.POSITIVE_INFINITY, z[1]);
        assertEquals(0f, z[2]);
    }

    @Test
    void polarToCartesianOfATurn() {
        float[] u = new float[LANES * 4096];
        for (int i = 0; i < u.length; i++) {
            u[i] = (float) i / u.length;                                     // [0, 1)
        }
        float[] cosSin = new float[2 * LANES];
        float[] sin = new float[LANES];
        float[] cos = new float[LANES];
        FloatVector two = FloatVector.broadcast(VectorMath.F, 2f);
        for (int i = 0; i < u.length; i += LANES) {
            VectorMath.polarInto(two, FloatVector.fromArray(VectorMath.F, u, i), cosSin, 0, LANES);
            for (int j = 0; j < LANES; j++) {
                cos[j] = cosSin[j] / 2;                      // radius 2: exact scaling
                sin[j] = cosSin[LANES + j] / 2;
            }
            for (int j = 0; j < LANES; j++) {
                double angle = 2 * Math.PI * u[i + j];
                assertEquals(Math.sin(angle), sin[j], ULPS_4, "sin(2 pi " + u[i + j] + ")");
                assertEquals(Math.cos(angle), cos[j], ULPS_4, "cos(2 pi " + u[i + j] + ")");
            }
        }
    }

    /**
     * The point of computing these from IEEE operations: the first call (the interpreter, or whatever is compiled so
     * far) and calls after thousands of repetitions (C2-compiled) give the same bits.
     */
    @Test
    void interpretedAndCompiledGiveTheSameBits() {
        float[] x = grid(-30, 0, LANES * 8);
        float[] first = chain(x);
        float[] later = first;
        for (int k = 0; k < 20_000; k++) {
            later = chain(x);
        }
        assertArrayEquals(first, later);
        float[] noise = new float[1000];
        float[] noiseLater = new float[1000];
        VectorNoise generator = new VectorNoise();
        generator.fill(noise, noise.length, 42);
        for (int k = 0; k < 5_000; k++) {
            generator.fill(noiseLater, noiseLater.length, 42);
        }
        assertArrayEquals(noise, noiseLater);
    }

    private static float[] chain(float[] x) {
        return apply(v -> VectorMath.log(VectorMath.log1pUnit(VectorMath.expNonPositive(v)).add(1e-30f)), x);
    }
}
