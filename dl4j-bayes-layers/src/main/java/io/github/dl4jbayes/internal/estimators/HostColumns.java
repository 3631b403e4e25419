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
 * layout's offsets, and the input gradient comes back in the input's layout. The Java loops work through the
 * minibatch in blocks of examples (about a million column elements each), so the Java arrays this class keeps are
 * bounded whatever the minibatch size; a result does not depend on the block size. Not thread-safe: one instance per
 * layer instance, as the estimators are.
 */
final class HostColumns {
    /** Geometry the index was computed for: channels, height, width, NHWC, kernel, stride, padding, dilation. */
    private int[] key;
    /** Per example: input offset of each column element, or -1 in the padding; {@code positions * inner} entries. */
    private int[] index;
    /** The column (or image) elements the Java buffers hold by default: 4 MB of FLOAT, 8 MB of DOUBLE. */
    static final int BLOCK_ELEMENTS = 1 << 20;
    /** The most column (or image) elements the Java buffers hold: the loops work through a minibatch in blocks. */
    private final int blockElements;
    private float[] floatImage = new float[0];
    private float[] floatColumns = new float[0];
    private double[] doubleImage = new double[0];
    private double[] doubleColumns = new double[0];

    HostColumns() {
        this(BLOCK_ELEMENTS);
    }

    /** @param blockElements the most column (or image) elements the Java buffers hold (&gt; 0) */
    HostColumns(int blockElements) {
        this.blockElements = blockElements;
    }

    /** @return the elements of the largest Java buffer this instance holds (for tests: bounded by the block) */
    int largestBuffer() {
        return Math.max(Math.max(floatImage.length, floatColumns.length),
                Math.max(doubleImage.length, doubleColumns.length));
    }

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
        int pixels = g.inputSize();
        INDArray image = contiguous(x);
        INDArray columns = Nd4j.createUninitialized(x.dataType(), (long) batch * g.positions(), g.inner());
        checkedLength((long) batch * map.length);
        int block = blockExamples(map.length, pixels);
        int imageOffset = (int) image.data().offset();
        int columnsOffset = (int) columns.data().offset();
        if (x.dataType() == DataType.FLOAT) {
            FloatBuffer in = floats(image);
            FloatBuffer out = floats(columns);
            floatImage = grow(floatImage, Math.min(batch, block) * pixels);
            floatColumns = grow(floatColumns, Math.min(batch, block) * map.length);
            for (int from = 0; from < batch; from += block) {
                int n = Math.min(block, batch - from);
                in.get(imageOffset + from * pixels, floatImage, 0, n * pixels);
                gather(map, n, pixels, floatImage, floatColumns);
                out.put(columnsOffset + from * map.length, floatColumns, 0, n * map.length);
            }
        } else {
            DoubleBuffer in = doubles(image);
            DoubleBuffer out = doubles(columns);
            doubleImage = grow(doubleImage, Math.min(batch, block) * pixels);
            doubleColumns = grow(doubleColumns, Math.min(batch, block) * map.length);
            for (int from = 0; from < batch; from += block) {
                int n = Math.min(block, batch - from);
                in.get(imageOffset + from * pixels, doubleImage, 0, n * pixels);
                gather(map, n, pixels, doubleImage, doubleColumns);
                out.put(columnsOffset + from * map.length, doubleColumns, 0, n * map.length);
            }
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
        int pixels = g.inputSize();
        INDArray source = contiguous(gradColumns);
        INDArray gradImage = Nd4j.createUninitialized(gradColumns.dataType(), inputShape);
        checkedLength((long) batch * map.length);
        int block = blockExamples(map.length, pixels);
        int sourceOffset = (int) source.data().offset();
        int imageOffset = (int) gradImage.data().offset();
        if (gradColumns.dataType() == DataType.FLOAT) {
            FloatBuffer in = floats(source);
            FloatBuffer out = floats(gradImage);
            floatColumns = grow(floatColumns, Math.min(batch, block) * map.length);
            floatImage = grow(floatImage, Math.min(batch, block) * pixels);
            for (int from = 0; from < batch; from += block) {
                int n = Math.min(block, batch - from);
                in.get(sourceOffset + from * map.length, floatColumns, 0, n * map.length);
                Arrays.fill(floatImage, 0, n * pixels, 0f);
                scatterAdd(map, n, pixels, floatColumns, floatImage);
                out.put(imageOffset + from * pixels, floatImage, 0, n * pixels);
            }
        } else {
            DoubleBuffer in = doubles(source);
            DoubleBuffer out = doubles(gradImage);
            doubleColumns = grow(doubleColumns, Math.min(batch, block) * map.length);
            doubleImage = grow(doubleImage, Math.min(batch, block) * pixels);
            for (int from = 0; from < batch; from += block) {
                int n = Math.min(block, batch - from);
                in.get(sourceOffset + from * map.length, doubleColumns, 0, n * map.length);
                Arrays.fill(doubleImage, 0, n * pixels, 0.0);
                scatterAdd(map, n, pixels, doubleColumns, doubleImage);
                out.put(imageOffset + from * pixels, doubleImage, 0, n * pixels);
            }
        }
        return gradImage;
    }

    /**
     * @return how many examples one pass of the Java loops takes: as many as fit the block's elements (at least
     *         one), so that the Java-side buffers stay that small whatever the minibatch (a 1,000-image prediction
     *         chunk of LeNet-5 would otherwise keep about 300 MB of Java arrays per network, for the network's life)
     */
    private int blockExamples(int columnsPerExample, int pixelsPerExample) {
        return Math.max(1, blockElements / Math.max(1, Math.max(columnsPerExample, pixelsPerExample)));
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
