package io.github.dl4jbayes.internal.estimators;

import io.github.dl4jbayes.layers.BayesianConvolutionLayer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The Java columns work through a minibatch in blocks of examples so that their Java buffers stay small: the columns
 * and the image gradient are the same, bit for bit, whatever the block (one example, a few, the whole minibatch, a
 * last block shorter than the others).
 */
class HostColumnsTest {

    @ParameterizedTest(name = "{0}, {1}, block of {2} elements")
    @CsvSource({
            "FLOAT, NCHW, 1",
            "FLOAT, NHWC, 150",
            "DOUBLE, NCHW, 300",
            "DOUBLE, NHWC, 1",
            "FLOAT, NCHW, 1048576"})
    void theBlockSizeChangesNothing(DataType type, CNN2DFormat format, int blockElements) {
        BayesianConvolutionLayer config = new BayesianConvolutionLayer.Builder(3, 3).stride(1, 1)
                .convolutionMode(ConvolutionMode.Same).dataFormat(format).nIn(2).nOut(3).build();
        Nd4j.getRandom().setSeed(11);
        long[] shape = format == CNN2DFormat.NHWC ? new long[]{7, 5, 4, 2} : new long[]{7, 2, 5, 4};
        INDArray x = Nd4j.randn(DataType.DOUBLE, shape).castTo(type);
        ConvolutionGeometry g = new ConvolutionGeometry(config, x);
        HostColumns whole = new HostColumns(Integer.MAX_VALUE);
        HostColumns blocks = new HostColumns(blockElements);
        INDArray expected = whole.columns(g, x);
        assertEquals(expected, blocks.columns(g, x), "columns");
        INDArray gradColumns = Nd4j.randn(DataType.DOUBLE, expected.shape()).castTo(type);
        assertEquals(whole.image(g, gradColumns, x.shape()), blocks.image(g, gradColumns, x.shape()),
                "image gradient");
        // a second, smaller minibatch through the same instances (buffers reused, last block shorter)
        INDArray three = x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 3)).dup();
        ConvolutionGeometry g3 = new ConvolutionGeometry(config, three);
        assertEquals(whole.columns(g3, three), blocks.columns(g3, three), "columns of a smaller minibatch");
    }

    /**
     * The memory the blocks are for: a minibatch far larger than a block leaves Java buffers of at most one block
     * (here 64 examples of 1,600 column elements against a block of 5,000 elements: three examples a block).
     */
    @org.junit.jupiter.api.Test
    void theJavaBuffersStayWithinOneBlock() {
        BayesianConvolutionLayer config = new BayesianConvolutionLayer.Builder(5, 5)
                .convolutionMode(ConvolutionMode.Same).nIn(1).nOut(2).build();
        INDArray x = Nd4j.rand(DataType.FLOAT, 64, 1, 8, 8);
        ConvolutionGeometry g = new ConvolutionGeometry(config, x);
        HostColumns columns = new HostColumns(5_000);
        INDArray c = columns.columns(g, x);
        columns.image(g, c, x.shape());
        assertEquals(64L * 64 * 25, c.length());
        assertEquals(3 * 64 * 25, columns.largestBuffer(), "three examples' columns");
    }
}
