package io.github.dl4jbayes.training;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.SplittableRandom;

/**
 * Seeded test data from a Java generator: ND4J 1.0.0-M2.1's own {@code randn} does not repeat after
 * {@code Nd4j.getRandom().setSeed(seed)}, which made test data differ from run to run.
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
