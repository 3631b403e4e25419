package io.github.dl4jbayes.internal.meanfield;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The kernel's bulk copies read and write the right elements of a view into a larger buffer (as a layer's mu and rho
 * blocks are views into the network's parameters), in every type, and leave the rest of the buffer alone.
 */
class HostArraysTest {

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"HALF", "FLOAT", "DOUBLE"})
    void readsAndWritesAViewInPlace(DataType type) {
        INDArray whole = Nd4j.arange(20).castTo(type).reshape(1, 20);
        INDArray view = whole.get(NDArrayIndex.interval(0, 1), NDArrayIndex.interval(5, 12));
        double[] read = new double[9];
        HostArrays.read(view, read, 7);
        assertArrayEquals(new double[]{5, 6, 7, 8, 9, 10, 11, 0, 0}, read, 0.0);

        double[] values = {-1, -2, -3, -4, -5, -6, -7, -8};
        HostArrays.write(values, view, 7);
        double[] after = whole.castTo(DataType.DOUBLE).toDoubleVector();
        for (int i = 0; i < 20; i++) {
            double expected = i >= 5 && i < 12 ? values[i - 5] : i;
            assertEquals(expected, after[i], 0.0, "element " + i);
        }
    }
}
