package io.github.dl4jbayes.examples;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Rotations by multiples of 90 degrees move pixels exactly; others interpolate and keep the type. */
class ImageRotationTest {
    /** A 3 x 4 image: a pixel value per position, 1..12. */
    private static INDArray image() {
        double[] v = new double[12];
        for (int i = 0; i < 12; i++) {
            v[i] = i + 1;
        }
        return Nd4j.create(v, new long[]{1, 12}, 'c');
    }

    @Test
    void zeroIsTheIdentityAnd180ReversesBothAxes() {
        INDArray x = image();
        assertArrayEquals(x.toDoubleVector(), ImageRotation.rotate(x, 3, 4, 0).toDoubleVector(), 1e-12);
        double[] reversed = new double[12];
        for (int i = 0; i < 12; i++) {
            reversed[i] = 12 - i;
        }
        assertArrayEquals(reversed, ImageRotation.rotate(x, 3, 4, 180).toDoubleVector(), 1e-9);
    }

    @Test
    void ninetyDegreesIsCounterClockwiseOnASquare() {
        // 3 x 3, one bright pixel in the middle of the right column: a quarter turn counter-clockwise puts it in the
        // middle of the top row
        INDArray x = Nd4j.zeros(DataType.DOUBLE, 1, 9);
        x.putScalar(0, 5, 1.0);
        double[] rotated = ImageRotation.rotate(x, 3, 3, 90).toDoubleVector();
        double[] expected = new double[9];
        expected[1] = 1.0;
        assertArrayEquals(expected, rotated, 1e-9);
        // four quarter turns give the image back
        INDArray back = x;
        for (int k = 0; k < 4; k++) {
            back = ImageRotation.rotate(back, 3, 3, 90);
        }
        assertArrayEquals(x.toDoubleVector(), back.toDoubleVector(), 1e-9);
    }

    @Test
    void otherAnglesInterpolateAndKeepTheTypeAndShape() {
        INDArray x = Nd4j.ones(DataType.FLOAT, 5, 16);
        INDArray r = ImageRotation.rotate(x, 4, 4, 45);
        assertEquals(DataType.FLOAT, r.dataType());
        assertArrayEquals(new long[]{5, 16}, r.shape());
        // the centre stays inside the image: full weight of ones; corners rotate out of it and lose some
        assertEquals(1.0, r.getDouble(0, 5), 1e-6);
        assertEquals(r.getDouble(0, 0), r.getDouble(4, 0), 0.0);
    }

    @Test
    void badArgumentsAreNamed() {
        assertThrows(IllegalArgumentException.class, () -> ImageRotation.rotate(Nd4j.ones(2, 10), 3, 3, 10));
        assertThrows(IllegalArgumentException.class, () -> ImageRotation.rotate(Nd4j.ones(2, 9), 3, 3, Double.NaN));
    }
}
