package io.github.dl4jbayes.internal.estimators;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The sizes of one 2-D convolution on one input: channels, input and output height and width, kernel, stride,
 * dilation and the padding actually applied at the top and left ({@code Same} mode pads as DL4J's
 * {@code ConvolutionUtils} says, possibly one more at the bottom and right, which needs no number here: patch rows and
 * columns past the input read zeros).
 */
final class ConvolutionGeometry {
    private final boolean nhwc;
    private final int channels;
    private final int[] in;
    private final int[] out;
    private final int[] kernel;
    private final int[] stride;
    private final int[] dilation;
    private final int[] padding;

    /**
     * @param c the layer's configuration
     * @param x the input (already checked for rank and channels)
     */
    ConvolutionGeometry(ConvolutionLayer c, INDArray x) {
        nhwc = c.getCnn2dDataFormat() == CNN2DFormat.NHWC;
        channels = (int) x.size(nhwc ? 3 : 1);
        in = new int[]{(int) x.size(nhwc ? 1 : 2), (int) x.size(nhwc ? 2 : 3)};
        kernel = c.getKernelSize();
        stride = c.getStride();
        dilation = c.getDilation();
        // validates kernel, stride and padding against the input's height and width (DL4J's messages)
        out = ConvolutionUtils.getOutputSize(x, kernel, stride, c.getPadding(), c.getConvolutionMode(), dilation,
                c.getCnn2dDataFormat());
        padding = c.getConvolutionMode() == ConvolutionMode.Same
                ? ConvolutionUtils.getSameModeTopLeftPadding(out, in, kernel, stride, dilation)
                : c.getPadding();
    }

    /** @return output positions per example, {@code oH oW} */
    int positions() {
        return out[0] * out[1];
    }

    /** @return elements of one patch, {@code iC kH kW} */
    int inner() {
        return channels * kernel[0] * kernel[1];
    }

    /** @return elements of one example's input */
    int inputSize() {
        return channels * in[0] * in[1];
    }

    /** @return the output's shape for a minibatch of {@code batch}, in the layer's data format */
    long[] outputShape(long batch, long nOut) {
        return nhwc ? new long[]{batch, out[0], out[1], nOut} : new long[]{batch, nOut, out[0], out[1]};
    }

    /** @return whether activations are {@code [b, h, w, c]} */
    boolean nhwc() {
        return nhwc;
    }

    /** @return every number the column index depends on */
    int[] key() {
        return new int[]{nhwc ? 1 : 0, channels, in[0], in[1], kernel[0], kernel[1], stride[0], stride[1],
                dilation[0], dilation[1], padding[0], padding[1], out[0], out[1]};
    }

    /**
     * @return for one example, the input offset (in the input's layout) of each element of the columns
     *         {@code [oH oW, iC kH kW]}, row by row, or -1 where the patch lies in the padding
     */
    int[] columnIndex() {
        long size = (long) positions() * inner();
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("A convolution of " + positions() + " output positions and patches of "
                    + inner() + " elements is too large");
        }
        // strides of channel, row and column within one example
        int channelStride = nhwc ? 1 : in[0] * in[1];
        int rowStride = nhwc ? in[1] * channels : in[1];
        int columnStride = nhwc ? channels : 1;
        int[] index = new int[(int) size];
        int t = 0;
        for (int oh = 0; oh < out[0]; oh++) {
            for (int ow = 0; ow < out[1]; ow++) {
                for (int c = 0; c < channels; c++) {
                    for (int kh = 0; kh < kernel[0]; kh++) {
                        int ih = oh * stride[0] - padding[0] + kh * dilation[0];
                        for (int kw = 0; kw < kernel[1]; kw++) {
                            int iw = ow * stride[1] - padding[1] + kw * dilation[1];
                            boolean inside = ih >= 0 && ih < in[0] && iw >= 0 && iw < in[1];
                            index[t++] = inside ? c * channelStride + ih * rowStride + iw * columnStride : -1;
                        }
                    }
                }
            }
        }
        return index;
    }
}
