package io.github.dl4jbayes.layers.estimators;

import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.factory.Nd4j;

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

    @Override
    public INDArray backward(INDArray x, INDArray w, INDArray delta, INDArray gradW) {
        INDArray gradX = Nd4j.createUninitialized(x.dataType(), x.shape());
        INDArray gradWeights = Nd4j.createUninitialized(w.dataType(), w.shape());
        DynamicCustomOp op = DynamicCustomOp.builder("conv2d_bp").addInputs(x, w, delta)
                .addOutputs(gradX, gradWeights).addIntegerArguments(arguments(x)).build();
        Nd4j.exec(op);
        gradW.assign(gradWeights);
        return gradX;
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
