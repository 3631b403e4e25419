package io.github.dl4jbayes.layers;

import io.github.dl4jbayes.layers.impl.BayesianConvolutionLayerImpl;
import io.github.dl4jbayes.layers.impl.MeanFieldMemory;
import io.github.dl4jbayes.layers.impl.MeanFieldParamInitializer;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;
import java.util.Objects;

/**
 * A 2-D convolution layer with a mean-field Gaussian posterior over its kernels and biases: DL4J's
 * {@link ConvolutionLayer} (kernel size, stride, padding, dilation, convolution mode, data format, activation, bias;
 * {@code nIn} inferred from the {@code InputType} as usual) whose parameters are drawn as in
 * {@link BayesianDenseLayer}.
 *
 * <pre>{@code
 * new BayesianConvolutionLayer.Builder(5, 5).nOut(20).stride(1, 1).activation(Activation.RELU)
 *         .estimator(Estimator.FLIPOUT).prior(new GaussianPrior(0, 1)).build()
 * }</pre>
 *
 * Weights {@code [nOut, nIn, kH, kW]} as in DL4J's layer; parameters {@code Wmu, bmu, Wrho, brho}
 * ({@link MeanFieldLayout}). Estimators: {@link Estimator#REPARAMETERIZATION} and {@link Estimator#FLIPOUT} (signs per
 * example and channel); {@link Estimator#LOCAL_REPARAMETERIZATION} is rejected, since a convolution's outputs at
 * different positions share weights and are not independent given the input.
 */
public class BayesianConvolutionLayer extends ConvolutionLayer implements BayesianLayerConfig {
    private static final long serialVersionUID = 1L;

    private MeanFieldSettings meanField = new MeanFieldSettings();

    /** For JSON deserialization. */
    public BayesianConvolutionLayer() {
    }

    private BayesianConvolutionLayer(Builder builder) {
        super(builder);
        this.meanField = builder.meanField.copyFor(builder);
        if (builder.dataFormat != null) {
            this.cnn2dDataFormat = builder.dataFormat;
        }
        if (getNIn() < 0 || getNOut() < 0) {
            throw new IllegalArgumentException("BayesianConvolutionLayer: " + (getNIn() < 0 ? "nIn" : "nOut")
                    + " must be > 0 (or left unset to be inferred from the InputType), got nIn = " + getNIn()
                    + ", nOut = " + getNOut());
        }
        checkEstimator(meanField.getEstimator(), getLayerName());
        initializeConstraints(builder);
    }

    private static void checkEstimator(Estimator estimator, String name) {
        if (estimator == Estimator.LOCAL_REPARAMETERIZATION) {
            throw new IllegalArgumentException("BayesianConvolutionLayer" + (name == null ? "" : " '" + name + "'")
                    + ": estimator LOCAL_REPARAMETERIZATION is for dense and output layers only (a convolution shares "
                    + "its weights across positions, so its pre-activations are not independent); use FLIPOUT or "
                    + "REPARAMETERIZATION");
        }
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> trainingListeners, int layerIndex,
                                                       INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        LayerValidation.assertNInNOutSet("BayesianConvolutionLayer", getLayerName(), layerIndex, getNIn(), getNOut());
        checkEstimator(meanField.getEstimator(), getLayerName());
        return MeanFieldParamInitializer.bind(new BayesianConvolutionLayerImpl(conf, networkDataType), conf, trainingListeners,
                layerIndex, layerParamsView, initializeParams);
    }

    /** Rejects a kernel (with its dilation) larger than the padded input, which DL4J lets through in some modes. */
    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        if (inputType instanceof InputType.InputTypeConvolutional && convolutionMode != ConvolutionMode.Same) {
            InputType.InputTypeConvolutional in = (InputType.InputTypeConvolutional) inputType;
            long[] size = {in.getHeight(), in.getWidth()};
            for (int d = 0; d < 2; d++) {
                long effective = (long) (kernelSize[d] - 1) * dilation[d] + 1;
                if (effective > size[d] + 2L * padding[d]) {
                    throw new IllegalArgumentException("BayesianConvolutionLayer " + (getLayerName() == null ? ""
                            : "'" + getLayerName() + "' ") + "(layer " + layerIndex + "): kernel "
                            + java.util.Arrays.toString(kernelSize) + " (dilation " + java.util.Arrays.toString(dilation)
                            + ") is larger than the input " + in.getHeight() + " x " + in.getWidth() + " with padding "
                            + java.util.Arrays.toString(padding));
                }
            }
        }
        return super.getOutputType(layerIndex, inputType);
    }

    @Override
    public ParamInitializer initializer() {
        return MeanFieldParamInitializer.getInstance();
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        return MeanFieldMemory.report(this, BayesianConvolutionLayer.class, inputType, getOutputType(-1, inputType));
    }

    @Override
    public long[] weightShape() {
        return new long[]{getNOut(), getNIn(), kernelSize[0], kernelSize[1]};
    }

    @Override
    public char weightOrder() {
        return 'c';
    }

    /** @return {@code nIn * kH * kW}, as DL4J's convolution initializer */
    @Override
    public double fanIn() {
        return (double) getNIn() * kernelSize[0] * kernelSize[1];
    }

    /** @return {@code nOut * kH * kW / (sH * sW)}, as DL4J's convolution initializer */
    @Override
    public double fanOut() {
        return (double) getNOut() * kernelSize[0] * kernelSize[1] / ((double) stride[0] * stride[1]);
    }

    @Override
    public MeanFieldSettings getMeanField() {
        return meanField;
    }

    /** @param meanField the prior, initial posterior std and estimator (for JSON) */
    public void setMeanField(MeanFieldSettings meanField) {
        this.meanField = Objects.requireNonNull(meanField, "meanField");
    }

    @Override
    public BayesianConvolutionLayer clone() {
        BayesianConvolutionLayer copy = (BayesianConvolutionLayer) super.clone();
        copy.meanField = meanField.copy();
        return copy;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof BayesianConvolutionLayer) || !super.equals(o)) {
            return false;
        }
        return meanField.equals(((BayesianConvolutionLayer) o).meanField);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), meanField);
    }

    @Override
    public String toString() {
        return "BayesianConvolutionLayer(name=" + getLayerName() + ", nIn=" + getNIn() + ", nOut=" + getNOut()
                + ", kernel=" + java.util.Arrays.toString(kernelSize) + ", stride=" + java.util.Arrays.toString(stride)
                + ", padding=" + java.util.Arrays.toString(padding) + ", mode=" + convolutionMode + ", activation="
                + getActivationFn() + ", hasBias=" + hasBias + ", " + meanField + ")";
    }

    /**
     * Builder in DL4J's style, taking what {@code ConvolutionLayer.Builder} takes (kernel size, stride, padding,
     * dilation, convolution mode, data format, nIn / nOut, activation, bias, ...) plus the Bayesian options of
     * {@link BayesianBuilder}.
     */
    public static class Builder extends ConvolutionLayer.BaseConvBuilder<Builder> implements BayesianBuilder<Builder> {
        private final MeanFieldSettings meanField = new MeanFieldSettings();
        private CNN2DFormat dataFormat;

        /** @param kernelSize the kernel's height and width */
        public Builder(int... kernelSize) {
            super(kernelSize);
        }

        /**
         * @param kernelSize the kernel's height and width
         * @param stride     the stride's height and width
         */
        public Builder(int[] kernelSize, int[] stride) {
            super(kernelSize, stride);
        }

        /**
         * @param kernelSize the kernel's height and width
         * @param stride     the stride's height and width
         * @param padding    the padding's height and width
         */
        public Builder(int[] kernelSize, int[] stride, int[] padding) {
            super(kernelSize, stride, padding);
        }

        /** A builder with DL4J's default 5x5 kernel. */
        public Builder() {
            super();
        }

        @Override
        protected boolean allowCausal() {
            return false;
        }

        /** @param format the activations' layout, {@code NCHW} (DL4J's default) or {@code NHWC} */
        public Builder dataFormat(CNN2DFormat format) {
            this.dataFormat = format;
            return this;
        }

        @Override
        public MeanFieldSettings meanFieldSettings() {
            return meanField;
        }

        @Override
        @SuppressWarnings("unchecked")
        public BayesianConvolutionLayer build() {
            if (convolutionMode == ConvolutionMode.Causal) {
                throw new IllegalArgumentException("BayesianConvolutionLayer: ConvolutionMode.Causal is for 1-D "
                        + "convolutions only");
            }
            return new BayesianConvolutionLayer(this);
        }
    }
}
