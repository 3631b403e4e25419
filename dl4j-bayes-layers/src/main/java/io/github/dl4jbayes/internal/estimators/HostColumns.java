package io.github.dl4jbayes.internal.estimators;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * {@code im2col} and {@code col2im} of one convolution layer instance in Java, on arrays in host memory (the CPU
 * backend), FLOAT or DOUBLE. The columns of a minibatch form one matrix {@code [b oH oW, iC kH kW]}: a row per output
 * position of every example, holding the input patch it sees, so that the forward pass and both gradients are one
 * matrix product each for the whole minibatch. libnd4j's own {@code im2col} took 60-100 ms for LeNet-5's
 * convolutions at batch 256 (it writes the columns element by element through six-dimensional strides), about ten
 * times a gather through a precomputed index.
 *
 * <p>The index is computed once per geometry: for each (output position, channel, kernel row, kernel column), the
 * offset of the input element within one example, or -1 where the patch lies in the padding. Padding may differ
 * between top/left and bottom/right (DL4J's {@code Same} mode). The input may be NCHW or NHWC: the index holds that
 * layout's offsets, and the input gradient comes back in the input's layout. Not thread-safe: one instance per layer
 * instance, as the estimators are.
 */
final class HostColumns {
    /** Geometry the index was computed for: channels, height, width, NHWC, kernel, stride, padding, dilation. */
    private int[] key;
    /** Per example: input offset of each column element, or -1 in the padding; {@code positions * inner} entries. */
    private int[] index;
    private float[] floatImage = new float[0];
    private float[] floatColumns = new float[0];
    private double[] doubleImage = new double[0];
    private double[] doubleColumns = new double[0];

    /** @return whether this class can work on arrays of this type on this backend */
    static boolean supports(DataType type) {
        return Nd4j.getEnvironment().isCPU() && (type == DataType.FLOAT || type == DataType.DOUBLE);
    }

    /**
     * @param g the convolution's geometry for the current input
     * @param x the input, {@code [b, iC, iH, iW]} or {@code [b, iH, iW, iC]} as {@code g} says
     * @return the columns, a new {@code [b oH oW, iC kH kW]} array of {@code x}'s type
     */
    INDArray columns(ConvolutionGeometry g, INDArray x) {
        int[] map = index(g);
        int batch = (int) x.size(0);
        INDArray image = contiguous(x);
        INDArray columns = Nd4j.createUninitialized(x.dataType(), (long) batch * g.positions(), g.inner());
        int imageLength = batch * g.inputSize();
        int columnsLength = checkedLength((long) batch * map.length);
        if (x.dataType() == DataType.FLOAT) {
            floatImage = grow(floatImage, imageLength);
            floatColumns = grow(floatColumns, columnsLength);
            floats(image).get((int) image.data().offset(), floatImage, 0, imageLength);
            gather(map, batch, g.inputSize(), floatImage, floatColumns);
            floats(columns).put((int) columns.data().offset(), floatColumns, 0, columnsLength);
        } else {
            doubleImage = grow(doubleImage, imageLength);
            doubleColumns = grow(doubleColumns, columnsLength);
            doubles(image).get((int) image.data().offset(), doubleImage, 0, imageLength);
            gather(map, batch, g.inputSize(), doubleImage, doubleColumns);
            doubles(columns).put((int) columns.data().offset(), doubleColumns, 0, columnsLength);
        }
        return columns;
    }

    /**
     * The adjoint of {@link #columns}: sums each column element's gradient into the input element it came from.
     *
     * @param g           the geometry of the forward pass
     * @param gradColumns {@code dL/dcolumns}, {@code [b oH oW, iC kH kW]}
     * @param inputShape  the input's shape
     * @return {@code dL/dx}, a new array of {@code inputShape} in the input's layout
     */
    INDArray image(ConvolutionGeometry g, INDArray gradColumns, long[] inputShape) {
        int[] map = index(g);
        int batch = (int) inputShape[0];
        INDArray source = contiguous(gradColumns);
        INDArray gradImage = Nd4j.createUninitialized(gradColumns.dataType(), inputShape);
        int imageLength = batch * g.inputSize();
        int columnsLength = checkedLength((long) batch * map.length);
        if (gradColumns.dataType() == DataType.FLOAT) {
            floatColumns = grow(floatColumns, columnsLength);
            floatImage = grow(floatImage, imageLength);
            floats(source).get((int) source.data().offset(), floatColumns, 0, columnsLength);
            Arrays.fill(floatImage, 0, imageLength, 0f);
            scatterAdd(map, batch, g.inputSize(), floatColumns, floatImage);
            floats(gradImage).put((int) gradImage.data().offset(), floatImage, 0, imageLength);
        } else {
            doubleColumns = grow(doubleColumns, columnsLength);
            doubleImage = grow(doubleImage, imageLength);
            doubles(source).get((int) source.data().offset(), doubleColumns, 0, columnsLength);
            Arrays.fill(doubleImage, 0, imageLength, 0.0);
            scatterAdd(map, batch, g.inputSize(), doubleColumns, doubleImage);
            doubles(gradImage).put((int) gradImage.data().offset(), doubleImage, 0, imageLength);
        }
        return gradImage;
    }

    /** {@code columns[b, t] = image[b, map[t]]}, 0 where {@code map[t] < 0}. */
    private static void gather(int[] map, int batch, int pixels, float[] image, float[] columns) {
        for (int b = 0, out = 0; b < batch; b++) {
            for (int t = 0, in = b * pixels; t < map.length; t++, out++) {
                columns[out] = map[t] < 0 ? 0f : image[in + map[t]];
            }
        }
    }

    /** The DOUBLE twin of {@link #gather(int[], int, int, float[], float[])}. */
    private static void gather(int[] map, int batch, int pixels, double[] image, double[] columns) {
        for (int b = 0, out = 0; b < batch; b++) {
            for (int t = 0, in = b * pixels; t < map.length; t++, out++) {
                columns[out] = map[t] < 0 ? 0.0 : image[in + map[t]];
            }
        }
    }

    /** {@code image[b, map[t]] += columns[b, t]} where {@code map[t] >= 0}. */
    private static void scatterAdd(int[] map, int batch, int pixels, float[] columns, float[] image) {
        for (int b = 0, out = 0; b < batch; b++) {
            for (int t = 0, in = b * pixels; t < map.length; t++, out++) {
                if (map[t] >= 0) {
                    image[in + map[t]] += columns[out];
                }
            }
        }
    }

    /** The DOUBLE twin of {@link #scatterAdd(int[], int, int, float[], float[])}. */
    private static void scatterAdd(int[] map, int batch, int pixels, double[] columns, double[] image) {
        for (int b = 0, out = 0; b < batch; b++) {
            for (int t = 0, in = b * pixels; t < map.length; t++, out++) {
                if (map[t] >= 0) {
                    image[in + map[t]] += columns[out];
                }
            }
        }
    }

    /** The gather index of geometry {@code g}, computed when the geometry changes. */
    private int[] index(ConvolutionGeometry g) {
        int[] k = g.key();
        if (!Arrays.equals(k, key)) {
            index = g.columnIndex();
            key = k;
        }
        return index;
    }

    private static INDArray contiguous(INDArray a) {
        boolean c = a.ordering() == 'c' && Shape.hasDefaultStridesForShape(a);
        return c ? a : a.dup('c');
    }

    private static int checkedLength(long n) {
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("Convolution columns of " + n + " elements are too large for one "
                    + "minibatch; use smaller minibatches");
        }
        return (int) n;
    }

    private static float[] grow(float[] a, int n) {
        return a.length >= n ? a : new float[n];
    }

    private static double[] grow(double[] a, int n) {
        return a.length >= n ? a : new double[n];
    }

    private static FloatBuffer floats(INDArray a) {
        return a.data().asNio().asFloatBuffer();
    }

    private static DoubleBuffer doubles(INDArray a) {
        return a.data().asNio().asDoubleBuffer();
    }
}
