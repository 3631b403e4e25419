package io.github.dl4jbayes.layers.meanfield;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class JavaNoiseTest {

    /** Standard-normal moments within four standard errors, for float, double and half (through an ND4J assignment). */
    @Test
    void standardNormalAndReproducible() {
        int n = 200_000;
        for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE, DataType.HALF}) {
            INDArray a = Nd4j.create(type, n);
            Object scratch = JavaNoise.scratchFor(type, n);
            JavaNoise.fill(a, scratch, new SplittableRandom(5));
            double[] v = a.castTo(DataType.DOUBLE).toDoubleVector();
            double mean = 0;
            for (double x : v) {
                mean += x;
            }
            mean /= n;
            double var = 0;
            double fourth = 0;
            for (double x : v) {
                var += (x - mean) * (x - mean);
                fourth += Math.pow(x - mean, 4);
            }
            var /= n - 1;
            fourth /= n;
            assertEquals(0.0, mean, 4 / Math.sqrt(n), type + " mean");
            // the sample variance of N(0, 1) has standard error sqrt(2 / n); allow half precision's rounding
            assertEquals(1.0, var, 4 * Math.sqrt(2.0 / n) + (type == DataType.HALF ? 1e-3 : 0), type + " variance");
            assertEquals(3.0, fourth, 4 * Math.sqrt(96.0 / n), type + " kurtosis");

            INDArray b = Nd4j.create(type, n);
            SplittableRandom random = new SplittableRandom(5);
            JavaNoise.fill(b, scratch, random);
            assertEquals(a, b, type + " not reproducible");
            JavaNoise.fill(b, scratch, random);
            assertNotEquals(a, b);
        }
    }
}
