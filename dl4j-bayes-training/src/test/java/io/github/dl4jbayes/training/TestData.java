package io.github.dl4jbayes.training;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.SplittableRandom;

/**
 * Seeded test data from a Java generator, independent of ND4J's global generator (which other code draws from, and
 * which ignores a seed of 0: after {@code Nd4j.getRandom().setSeed(0)} its draws differ from run to run).
 */
public final class TestData {
    private TestData() {
    }

    /** @return a {@code [rows, cols]} array of standard-normal values, a function of {@code seed} alone */
    public static INDArray randn(long seed, DataType dataType, int rows, int cols) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] values = new double[rows][cols];
        for (double[] row : values) {
            for (int j = 0; j < cols; j++) {
                row[j] = random.nextGaussian();
            }
        }
        return Nd4j.createFromArray(values).castTo(dataType);
    }
}
