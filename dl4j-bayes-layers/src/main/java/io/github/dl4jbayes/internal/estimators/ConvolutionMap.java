package io.github.dl4jbayes.internal.estimators;

import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * {@link LinearMap} of 2-D convolution layers, {@code z = conv(x, w) + b}: on the CPU backend by columns and matrix
 * products ({@link HostColumns}), elsewhere by libnd4j's {@code conv2d} and {@code conv2d_bp} operations; weights
 * {@code [nOut, nIn, kH, kW]} as DL4J's {@code ConvolutionLayer} keeps them, activations {@code NCHW} or {@code NHWC} as the configuration's data format says, the configuration's kernel size,
 * stride, padding, dilation and convolution mode ({@code Same}, {@code Truncate}, {@code Strict}).
 */
public final class ConvolutionMap implements LinearMap {
    private final Supplier<ConvolutionLayer> config;
    private final BooleanSupplier hostMemory;
    private final HostColumns columns = new HostColumns();

    /**
     * @param config     the layer's configuration (read at each use)
     * @param hostMemory whether the layer's arrays live in host memory (its kernel policy's; read at each use)
     */
    public ConvolutionMap(Supplier<ConvolutionLayer> config, BooleanSupplier hostMemory) {
        this.config = config;
        this.hostMemory = hostMemory;
    }

    private boolean nhwc() {
        return config.get().getCnn2dDataFormat() == CNN2DFormat.NHWC;
    }

    private int channelAxis() {
        return nhwc() ? 3 : 1;
    }

    /** Validates the input's rank and channels. */
    private void check(INDArray x) {
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
    }

    /** Validates the input and returns its geometry (DL4J's messages for kernel, stride and padding too large). */
    private ConvolutionGeometry geometry(INDArray x) {
        check(x);
        return new ConvolutionGeometry(config.get(), x);
    }

    /** @return libnd4j's {@code conv2d} integer arguments for the layer's configuration */
    private int[] arguments() {
        ConvolutionLayer c = config.get();
        int[] k = c.getKernelSize();
        int[] s = c.getStride();
        int[] p = c.getPadding();
        int[] d = c.getDilation();
        boolean same = c.getConvolutionMode() == ConvolutionMode.Same;
        return new int[]{k[0], k[1], s[0], s[1], same ? 0 : p[0], same ? 0 : p[1], d[0], d[1], same ? 1 : 0,
                nhwc() ? 1 : 0, 1};
    }

    /** Whether this input takes the Java columns ({@link HostColumns}): host memory, FLOAT or DOUBLE. */
    private boolean byColumns(INDArray x) {
        return hostMemory.getAsBoolean() && HostColumns.supports(x.dataType());
    }

    /**
     * {@inheritDoc}
     *
     * <p>On the CPU backend, FLOAT or DOUBLE: the columns of the whole minibatch ({@link HostColumns}) times the
     * kernel matrix, one product. Elsewhere (a GPU, where {@code conv2d} has cuDNN, or HALF) libnd4j's {@code conv2d}.
     */
    @Override
    public INDArray forward(INDArray x, INDArray w) {
        ConvolutionGeometry g = geometry(x);
        if (!byColumns(x)) {
            return Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(x, w).addIntegerArguments(arguments())
                    .build())[0];
        }
        long batch = x.size(0);
        long nOut = w.size(0);
        INDArray z = Nd4j.createUninitialized(x.dataType(), batch * g.positions(), nOut);
        Nd4j.gemm(columns.columns(g, x), w.reshape(nOut, g.inner()), z, false, true, 1.0, 0.0);
        INDArray positionsLast = z.reshape(batch, g.positions(), nOut);
        return g.nhwc() ? z.reshape(g.outputShape(batch, nOut))
                : positionsLast.permute(0, 2, 1).dup('c').reshape(g.outputShape(batch, nOut));
    }

    /**
     * {@inheritDoc}
     *
     * <p>On the CPU backend, FLOAT or DOUBLE: the columns as in {@link #forward}, one matrix product for each
     * gradient over the whole minibatch, and the columns' gradient summed back into the image: a constant number of
     * ND4J calls whatever the minibatch size. libnd4j's {@code conv2d_bp} spends most of its time copying
     * six-dimensional permuted views element by element (3.5 times as long for the {@code fashion} example's
     * convolutions as an earlier im2col path). Elsewhere (a GPU, where {@code conv2d_bp} has cuDNN, or HALF) by
     * {@code conv2d_bp}.
     */
    @Override
    public INDArray backward(INDArray x, INDArray w, INDArray delta, INDArray gradW) {
        ConvolutionGeometry g = geometry(x);
        if (!byColumns(x)) {
            INDArray gradX = Nd4j.createUninitialized(x.dataType(), x.shape());
            INDArray gradWeights = Nd4j.createUninitialized(w.dataType(), w.shape());
            DynamicCustomOp op = DynamicCustomOp.builder("conv2d_bp").addInputs(x, w, delta)
                    .addOutputs(gradX, gradWeights).addIntegerArguments(arguments()).build();
            Nd4j.exec(op);
            gradW.assign(gradWeights);
            return gradX;
        }
        long batch = x.size(0);
        long nOut = w.size(0);
        long rows = batch * g.positions();
        // delta as [b oH oW, nOut]: NHWC already is; NCHW is permuted into that layout (one copy)
        INDArray deltaMatrix = g.nhwc() ? delta.reshape(rows, nOut)
                : delta.reshape(batch, nOut, g.positions()).permute(0, 2, 1).dup('c').reshape(rows, nOut);
        INDArray gradWeights = Nd4j.createUninitialized(x.dataType(), nOut, g.inner());
        Nd4j.gemm(deltaMatrix, columns.columns(g, x), gradWeights, true, false, 1.0, 0.0);
        gradW.assign(gradWeights.reshape(gradW.shape()));
        INDArray gradColumns = Nd4j.createUninitialized(x.dataType(), rows, g.inner());
        Nd4j.gemm(deltaMatrix, w.reshape(nOut, g.inner()), gradColumns, false, false, 1.0, 0.0);
        return columns.image(g, gradColumns, x.shape());
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
