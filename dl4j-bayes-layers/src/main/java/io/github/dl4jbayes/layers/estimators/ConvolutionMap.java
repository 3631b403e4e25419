package io.github.dl4jbayes.layers.estimators;

import io.github.dl4jbayes.layers.meanfield.HostLoops;
import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.convolution.Convolution;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;
import java.util.function.Supplier;

/**
 * {@link LinearMap} of 2-D convolution layers, with libnd4j's {@code conv2d} and {@code conv2d_bp} operations:
 * {@code z = conv(x, w) + b}, weights {@code [nOut, nIn, kH, kW]} as DL4J's {@code ConvolutionLayer} keeps them,
 * activations {@code NCHW} or {@code NHWC} as the configuration's data format says, the configuration's kernel size,
 * stride, padding, dilation and convolution mode ({@code Same}, {@code Truncate}, {@code Strict}).
 */
public final class ConvolutionMap implements LinearMap {
    private final Supplier<ConvolutionLayer> config;

    /** @param config the layer's configuration (read at each use) */
    public ConvolutionMap(Supplier<ConvolutionLayer> config) {
        this.config = config;
    }

    private boolean nhwc() {
        return config.get().getCnn2dDataFormat() == CNN2DFormat.NHWC;
    }

    private int channelAxis() {
        return nhwc() ? 3 : 1;
    }

    /** Validates the input (rank, channels, sizes against kernel, stride and padding) and returns the op's integer arguments. */
    private int[] arguments(INDArray x) {
        ConvolutionLayer c = config.get();
        if (x.rank() != 4) {
            throw new DL4JInvalidInputException("Bayesian convolution layer '" + layerName() + "': expected a rank 4 input "
                    + (nhwc() ? "[minibatch, height, width, channels]" : "[minibatch, channels, height, width]")
                    + ", got shape " + Arrays.toString(x.shape())
                    + (x.rank() == 2 ? " (flat images need setInputType(InputType.convolutionalFlat(h, w, c)))" : ""));
        }
        if (x.size(channelAxis()) != c.getNIn()) {
            throw new DL4JInvalidInputException("Bayesian convolution layer '" + layerName() + "': the input has "
                    + x.size(channelAxis()) + " channels, the layer expects nIn = " + c.getNIn() + " (input shape "
                    + Arrays.toString(x.shape()) + ")");
        }
        int[] k = c.getKernelSize();
        int[] s = c.getStride();
        int[] p = c.getPadding();
        int[] d = c.getDilation();
        // validates kernel, stride and padding against the input's height and width (DL4J's messages)
        ConvolutionUtils.getOutputSize(x, k, s, p, c.getConvolutionMode(), d, c.getCnn2dDataFormat());
        boolean same = c.getConvolutionMode() == ConvolutionMode.Same;
        return new int[]{k[0], k[1], s[0], s[1], same ? 0 : p[0], same ? 0 : p[1], d[0], d[1], same ? 1 : 0,
                nhwc() ? 1 : 0, 1};
    }

    @Override
    public INDArray forward(INDArray x, INDArray w) {
        DynamicCustomOp op = DynamicCustomOp.builder("conv2d").addInputs(x, w).addIntegerArguments(arguments(x)).build();
        return Nd4j.exec(op)[0];
    }

    /**
     * {@inheritDoc}
     *
     * <p>On the CPU backend ({@link HostLoops#allowed()}) by {@code im2col}, one matrix product for each gradient over
     * the whole minibatch (the columns of every output position of every example as the rows of one matrix) and
     * {@code col2im}: a constant number of ND4J calls whatever the minibatch size. libnd4j's {@code conv2d_bp}
     * spends most of its time copying six-dimensional permuted views element by element, and took about 3.5 times
     * as long for the {@code fashion} example's convolutions. Elsewhere (a GPU, where {@code conv2d_bp} has cuDNN)
     * by {@code conv2d_bp}.
     */
    @Override
    public INDArray backward(INDArray x, INDArray w, INDArray delta, INDArray gradW) {
        if (HostLoops.allowed()) {
            return backwardByColumns(x, w, delta, gradW);
        }
        INDArray gradX = Nd4j.createUninitialized(x.dataType(), x.shape());
        INDArray gradWeights = Nd4j.createUninitialized(w.dataType(), w.shape());
        DynamicCustomOp op = DynamicCustomOp.builder("conv2d_bp").addInputs(x, w, delta)
                .addOutputs(gradX, gradWeights).addIntegerArguments(arguments(x)).build();
        Nd4j.exec(op);
        gradW.assign(gradWeights);
        return gradX;
    }

    private INDArray backwardByColumns(INDArray x, INDArray w, INDArray delta, INDArray gradW) {
        ConvolutionLayer c = config.get();
        int[] k = c.getKernelSize();
        int[] s = c.getStride();
        int[] d = c.getDilation();
        boolean nhwc = nhwc();
        INDArray image = nhwc ? x.permute(0, 3, 1, 2) : x;                       // [b, iC, iH, iW], a view
        long batch = image.size(0);
        long channels = image.size(1);
        int[] in = {(int) image.size(2), (int) image.size(3)};
        int[] out = {(int) delta.size(nhwc ? 1 : 2), (int) delta.size(nhwc ? 2 : 3)};
        int[] p = c.getPadding();
        int[] extra = {0, 0};
        if (c.getConvolutionMode() == ConvolutionMode.Same) {
            // Same mode may pad the bottom and right more than the top and left: those rows and columns are added to
            // the image (libnd4j's im2col takes symmetric padding; its own Same mode pads differently from conv2d)
            p = ConvolutionUtils.getSameModeTopLeftPadding(out, in, k, s, d);
            int[] bottomRight = ConvolutionUtils.getSameModeBottomRightPadding(out, in, k, s, d);
            extra = new int[]{bottomRight[0] - p[0], bottomRight[1] - p[1]};
        }
        int[] padded = {in[0] + extra[0], in[1] + extra[1]};
        boolean grown = extra[0] > 0 || extra[1] > 0;
        DataType type = x.dataType();
        if (grown) {
            INDArray larger = Nd4j.zeros(type, batch, channels, padded[0], padded[1]);
            larger.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, in[0]),
                    NDArrayIndex.interval(0, in[1])).assign(image);
            image = larger;
        }
        long inner = channels * k[0] * k[1];
        long rows = batch * out[0] * out[1];
        long nOut = w.size(0);
        // columns laid out [b, oH, oW, iC, kH, kW]: as a matrix [b oH oW, iC kH kW], one row per output position of
        // the whole minibatch; im2col writes them through the permuted view [b, iC, kH, kW, oH, oW]
        INDArray columns = Nd4j.createUninitialized(type, batch, out[0], out[1], channels, k[0], k[1]);
        Convolution.im2col(image, k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1], false,
                columns.permute(0, 3, 4, 5, 1, 2));
        INDArray columnMatrix = columns.reshape(rows, inner);
        // delta as [b oH oW, nOut]: NHWC already is; NCHW is permuted into that layout (one copy)
        INDArray deltaMatrix = nhwc ? delta.reshape(rows, nOut)
                : delta.permute(0, 2, 3, 1).dup('c').reshape(rows, nOut);
        INDArray gradWeights = Nd4j.createUninitialized(type, nOut, inner);
        Nd4j.gemm(deltaMatrix, columnMatrix, gradWeights, true, false, 1.0, 0.0);
        gradW.assign(gradWeights.reshape(gradW.shape()));
        INDArray gradColumns = Nd4j.createUninitialized(type, batch, out[0], out[1], channels, k[0], k[1]);
        Nd4j.gemm(deltaMatrix, w.reshape(nOut, inner), gradColumns.reshape(rows, inner), false, false, 1.0, 0.0);
        INDArray gradImage = Nd4j.createUninitialized(type, batch, channels, padded[0], padded[1]);
        Convolution.col2im(gradColumns.permute(0, 3, 4, 5, 1, 2), gradImage, s[0], s[1], p[0], p[1], padded[0],
                padded[1], d[0], d[1]);
        if (grown) {
            gradImage = gradImage.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, in[0]),
                    NDArrayIndex.interval(0, in[1]));
        }
        if (nhwc) {
            return gradImage.permute(0, 2, 3, 1).dup('c');
        }
        return grown ? gradImage.dup('c') : gradImage;
    }

    @Override
    public void addBias(INDArray z, INDArray b) {
        Nd4j.getExecutioner().exec(new BroadcastAddOp(z, b, z, channelAxis()));
    }

    @Override
    public void biasGradient(INDArray delta, INDArray gradB) {
        gradB.assign(nhwc() ? delta.sum(0, 1, 2) : delta.sum(0, 2, 3));
    }

    @Override
    public INDArray scaleChannels(INDArray a, INDArray factors, INDArray result) {
        Nd4j.getExecutioner().exec(new BroadcastMulOp(a, factors, result, 0, channelAxis()));
        return result;
    }

    @Override
    public long channels(INDArray a) {
        return a.size(channelAxis());
    }

    private String layerName() {
        String name = config.get().getLayerName();
        return name == null ? "(unnamed)" : name;
    }
}
