package io.github.dl4jbayes.internal.estimators;

import io.github.dl4jbayes.layers.BayesianConvolutionLayer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The convolution's two paths, the CPU's (Java columns, one product for the forward pass and for each gradient of the
 * whole minibatch, the columns summed back into the image) and libnd4j's {@code conv2d} / {@code conv2d_bp} (which a
 * GPU takes), against finite differences and each other, in each convolution mode and data format. (Same mode with a
 * kernel of 3 and stride 1 once caught libnd4j's {@code im2col} padding differently from its {@code conv2d}.)
 */
class ConvolutionMapTest {

    @ParameterizedTest(name = "kernel {0}, stride {1}, padding {2}, dilation {3}, {4}, {5}")
    @CsvSource({
            "3, 1, 0, 1, Truncate, NCHW",
            "3, 2, 1, 1, Truncate, NCHW",
            "2, 2, 0, 1, Same, NCHW",
            "3, 1, 0, 1, Same, NHWC",
            "3, 1, 0, 1, Same, NCHW",
            "2, 1, 0, 2, Strict, NCHW",
            "3, 2, 1, 1, Truncate, NHWC"})
    void bothBackwardPassesMatchFiniteDifferences(int kernel, int stride, int padding, int dilation,
                                                 ConvolutionMode mode, CNN2DFormat format) {
        BayesianConvolutionLayer config = new BayesianConvolutionLayer.Builder(kernel, kernel).stride(stride, stride)
                .padding(padding, padding).dilation(dilation, dilation).convolutionMode(mode).dataFormat(format)
                .nIn(2).nOut(3).build();
        ConvolutionMap map = new ConvolutionMap(() -> config, () -> true);
        ConvolutionMap deviceMap = new ConvolutionMap(() -> config, () -> false);
        Nd4j.getRandom().setSeed(7);
        long[] inShape = format == CNN2DFormat.NHWC ? new long[]{4, 7, 6, 2} : new long[]{4, 2, 7, 6};
        INDArray x = Nd4j.randn(DataType.DOUBLE, inShape);
        INDArray w = Nd4j.randn(DataType.DOUBLE, 3, 2, kernel, kernel);
        INDArray z = map.forward(x, w);
        INDArray delta = Nd4j.randn(DataType.DOUBLE, z.shape());

        INDArray gradWColumns = Nd4j.create(DataType.DOUBLE, w.shape());
        INDArray gradWOp = Nd4j.create(DataType.DOUBLE, w.shape());
        INDArray gradXColumns;
        INDArray gradXOp;
        gradXColumns = map.backward(x, w, delta, gradWColumns);
        gradXOp = deviceMap.backward(x, w, delta, gradWOp);
        // z is linear in w and in x: central differences of sum(z o delta) are exact up to rounding
        INDArray numericW = differences(w, v -> map.forward(x, v).mul(delta).sumNumber().doubleValue());
        INDArray numericX = differences(x, v -> map.forward(v, w).mul(delta).sumNumber().doubleValue());
        assertArrayEquals(x.shape(), gradXColumns.shape());
        assertClose(numericW, gradWColumns, "dL/dw, columns path");
        assertClose(numericW, gradWOp, "dL/dw, conv2d_bp");
        assertClose(numericX, gradXColumns, "dL/dx, columns path");
        assertClose(numericX, gradXOp, "dL/dx, conv2d_bp");
    }

    /**
     * The columns' forward pass (the CPU's) equals libnd4j's {@code conv2d} in FLOAT and DOUBLE, in every mode and
     * format; HALF takes {@code conv2d} on every backend.
     */
    @ParameterizedTest(name = "kernel {0}, stride {1}, padding {2}, dilation {3}, {4}, {5}, {6}")
    @CsvSource({
            "5, 1, 0, 1, Same, NCHW, FLOAT",
            "5, 1, 0, 1, Same, NHWC, DOUBLE",
            "2, 2, 0, 1, Same, NCHW, DOUBLE",
            "3, 2, 1, 1, Truncate, NHWC, FLOAT",
            "2, 1, 0, 2, Strict, NCHW, FLOAT",
            "3, 1, 0, 1, Truncate, NCHW, HALF"})
    void columnsForwardEqualsConv2d(int kernel, int stride, int padding, int dilation, ConvolutionMode mode,
                                    CNN2DFormat format, DataType type) {
        BayesianConvolutionLayer config = new BayesianConvolutionLayer.Builder(kernel, kernel).stride(stride, stride)
                .padding(padding, padding).dilation(dilation, dilation).convolutionMode(mode).dataFormat(format)
                .nIn(3).nOut(4).build();
        ConvolutionMap map = new ConvolutionMap(() -> config, () -> true);
        ConvolutionMap deviceMap = new ConvolutionMap(() -> config, () -> false);
        Nd4j.getRandom().setSeed(9);
        long[] inShape = format == CNN2DFormat.NHWC ? new long[]{5, 9, 8, 3} : new long[]{5, 3, 9, 8};
        INDArray x = Nd4j.randn(DataType.DOUBLE, inShape).castTo(type);
        INDArray w = Nd4j.randn(DataType.DOUBLE, 4, 3, kernel, kernel).castTo(type);
        INDArray byColumns;
        INDArray byOp;
        byColumns = map.forward(x, w);
        byOp = deviceMap.forward(x, w);
        assertArrayEquals(byOp.shape(), byColumns.shape());
        assertEquals(type, byColumns.dataType());
        double tolerance = type == DataType.DOUBLE ? 1e-12 : type == DataType.FLOAT ? 1e-4 : 0.0;
        assertEquals(0.0, byColumns.castTo(DataType.DOUBLE).sub(byOp.castTo(DataType.DOUBLE)).amaxNumber()
                .doubleValue(), tolerance);
    }

    private static INDArray differences(INDArray at, java.util.function.ToDoubleFunction<INDArray> f) {
        INDArray result = Nd4j.create(DataType.DOUBLE, at.shape());
        for (long i = 0; i < at.length(); i++) {
            INDArray up = at.dup();
            up.putScalar(i, at.getDouble(i) + 0.5);
            INDArray down = at.dup();
            down.putScalar(i, at.getDouble(i) - 0.5);
            result.putScalar(i, f.applyAsDouble(up) - f.applyAsDouble(down));
        }
        return result;
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        double largest = expected.amaxNumber().doubleValue();
        assertTrue(largest > 0.1, what + ": a non-trivial gradient");
        assertEquals(0.0, actual.sub(expected).amaxNumber().doubleValue(), 1e-12 * Math.max(1.0, largest), what);
    }

}
