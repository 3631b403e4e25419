package io.github.dl4jbayes.internal.meanfield;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The noise of both paths, Java's sampler (host loops, the CPU backend) and ND4J's generator (what a GPU backend
 * uses, taken here on the CPU by asking for it: {@code new Noise(false)}): standard-normal moments and fair signs in HALF,
 * FLOAT and DOUBLE, and the same values again when the layer's generator is reseeded.
 */
class NoiseTest {
    private static final int N = 200_000;

    /** Mean, variance and fourth moment of N(0, 1) within four standard errors (half precision's rounding allowed). */
    @ParameterizedTest(name = "host={0}")
    @ValueSource(booleans = {true, false})
    void standardNormalAndReproducible(boolean host) {
        for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE, DataType.HALF}) {
            Noise noise = new Noise(host);
            assertEquals(host, noise.onHost());
            INDArray a = Nd4j.create(type, N);
            noise.gaussian(a, new SplittableRandom(5));
            double[] v = a.castTo(DataType.DOUBLE).toDoubleVector();
            double mean = 0;
            for (double x : v) {
                mean += x;
            }
            mean /= N;
            double var = 0;
            double fourth = 0;
            for (double x : v) {
                var += (x - mean) * (x - mean);
                fourth += Math.pow(x - mean, 4);
            }
            var /= N - 1;
            fourth /= N;
            assertEquals(0.0, mean, 4 / Math.sqrt(N), type + " mean");
            // the sample variance of N(0, 1) has standard error sqrt(2 / n); allow half precision's rounding
            assertEquals(1.0, var, 4 * Math.sqrt(2.0 / N) + (type == DataType.HALF ? 1e-3 : 0), type + " variance");
            assertEquals(3.0, fourth, 4 * Math.sqrt(96.0 / N), type + " kurtosis");

            INDArray b = Nd4j.create(type, N);
            SplittableRandom random = new SplittableRandom(5);
            noise.gaussian(b, random);
            assertEquals(a, b, type + " not reproducible");
            noise.gaussian(b, random);
            assertNotEquals(a, b);
        }
    }

    /** Only +1 and -1, each with probability 1/2 within four standard errors; reproducible from the generator. */
    @ParameterizedTest(name = "host={0}")
    @ValueSource(booleans = {true, false})
    void fairSigns(boolean host) {
        for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE, DataType.HALF}) {
            Noise noise = new Noise(host);
            INDArray a = Nd4j.create(type, 1000, 200);
            noise.signs(a, new SplittableRandom(8));
            double[] v = a.castTo(DataType.DOUBLE).reshape(a.length()).toDoubleVector();
            long plus = 0;
            for (double x : v) {
                assertTrue(x == 1.0 || x == -1.0, type + ": a sign of " + x);
                plus += x > 0 ? 1 : 0;
            }
            assertEquals(0.5, (double) plus / v.length, 4 * Math.sqrt(0.25 / v.length), type + " fraction of +1");
            INDArray b = Nd4j.create(type, 1000, 200);
            noise.signs(b, new SplittableRandom(8));
            assertEquals(a, b, type + " not reproducible");
        }
    }
}
