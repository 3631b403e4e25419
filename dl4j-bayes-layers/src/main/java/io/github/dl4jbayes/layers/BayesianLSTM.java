package io.github.dl4jbayes.layers;

import io.github.dl4jbayes.internal.ArgumentChecks;
import io.github.dl4jbayes.layers.impl.BayesianLSTMImpl;
import io.github.dl4jbayes.layers.impl.MeanFieldMemory;
import io.github.dl4jbayes.layers.impl.MeanFieldParamInitializer;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.AbstractLSTM;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Collection;
import java.util.Objects;

/**
 * An LSTM layer with a mean-field Gaussian posterior over its input weights, recurrent weights and biases: DL4J's
 * {@code LSTM} (no peepholes; gate activation, activation, forget-gate bias, NCW or NWC data, masks, truncated BPTT,
 * {@code rnnTimeStep}) whose parameters are drawn as in {@link BayesianDenseLayer}.
 *
 * <pre>{@code
 * new BayesianLSTM.Builder().nIn(1).nOut(32).activation(Activation.TANH)
 *         .prior(new GaussianPrior(0, 1)).estimator(Estimator.FLIPOUT).build()
 * }</pre>
 *
 * <p>Estimators: {@link Estimator#REPARAMETERIZATION} draws the weights once per forward pass and uses that draw at
 * every time step of every sequence of the minibatch (Fortunato et al. 2017); {@link Estimator#FLIPOUT} draws one
 * perturbation per pass and decorrelates the sequences with random signs per sequence and input / output unit, the
 * same signs at every time step, so each sequence sees one draw of the weights for its whole length.
 * {@link Estimator#LOCAL_REPARAMETERIZATION} is rejected: it would draw the pre-activations independently at every
 * step, which is not a draw of the weights (the recurrent product makes the pre-activations of one sequence
 * dependent across steps).
 *
 * <p>Weights {@code [nIn + nOut, 4 nOut]} (input weights above the recurrent weights; gate columns in the order
 * input, forget, output, block input) and {@code 4 nOut} biases; parameters {@code Wmu, bmu, Wrho, brho}
 * ({@link MeanFieldLayout}). The weight means are initialized with the layer's weight init (both input and recurrent
 * weights; DL4J's {@code weightInitRecurrent} is not supported), the forget-gate bias means with
 * {@link #getForgetGateBiasInit()}, the other bias means with the bias init.
 */
public class BayesianLSTM extends AbstractLSTM implements BayesianLayerConfig {
    private static final long serialVersionUID = 1L;

    private MeanFieldSettings meanField = new MeanFieldSettings();

    /** For JSON deserialization. */
    public BayesianLSTM() {
    }

    private BayesianLSTM(Builder builder) {
        super(builder);
        this.meanField = builder.meanField.copyFor(builder);
        if (builder.getWeightInitFnRecurrent() != null) {
            throw new IllegalArgumentException("BayesianLSTM" + name(getLayerName()) + ": weightInitRecurrent is not "
                    + "supported: the layer's weightInit initializes the means of the input and recurrent weights");
        }
        checkEstimator(meanField.getEstimator(), getLayerName());
        initializeConstraints(builder);
    }

    private static String name(String layerName) {
        return layerName == null ? "" : " '" + layerName + "'";
    }

    private static void checkEstimator(Estimator estimator, String layerName) {
        if (estimator == Estimator.LOCAL_REPARAMETERIZATION) {
            throw new IllegalArgumentException("BayesianLSTM" + name(layerName) + ": estimator LOCAL_REPARAMETERIZATION "
                    + "is for dense and output layers only: it draws each pre-activation independently, but an "
                    + "LSTM's pre-activations at different time steps share the weights (through the recurrent "
                    + "product), so they are neither independent nor Gaussian given the input. Use FLIPOUT or "
                    + "REPARAMETERIZATION");
        }
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> trainingListeners, int layerIndex,
                                                       INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        LayerValidation.assertNInNOutSet("BayesianLSTM", getLayerName(), layerIndex, getNIn(), getNOut());
        checkEstimator(meanField.getEstimator(), getLayerName());
        return MeanFieldParamInitializer.bind(new BayesianLSTMImpl(conf, networkDataType), conf, trainingListeners,
                layerIndex, layerParamsView, initializeParams);
    }

    @Override
    public ParamInitializer initializer() {
        return MeanFieldParamInitializer.getInstance();
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        return MeanFieldMemory.report(this, BayesianLSTM.class, inputType, getOutputType(-1, inputType));
    }

    @Override
    public boolean hasBias() {
        return true;
    }

    @Override
    public long biasSize() {
        return 4 * getNOut();
    }

    /** The forget gate's bias means start at {@link #getForgetGateBiasInit()}, the others at the bias init. */
    @Override
    public void initializeBiasMeans(INDArray biasMeans) {
        long h = getNOut();
        biasMeans.assign(getBiasInit());
        biasMeans.get(NDArrayIndex.interval(h, 2 * h)).assign(getForgetGateBiasInit());
    }

    @Override
    public long[] weightShape() {
        return new long[]{getNIn() + getNOut(), 4 * getNOut()};
    }

    @Override
    public double fanIn() {
        return getNIn() + getNOut();
    }

    @Override
    public double fanOut() {
        return 4.0 * getNOut();
    }

    @Override
    public MeanFieldSettings getMeanField() {
        return meanField;
    }

    /** @param meanField the prior, the initial posterior std and the estimator (for JSON) */
    public void setMeanField(MeanFieldSettings meanField) {
        this.meanField = Objects.requireNonNull(meanField, "meanField");
    }

    @Override
    public BayesianLSTM clone() {
        BayesianLSTM copy = (BayesianLSTM) super.clone();
        copy.meanField = meanField.copy();
        return copy;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof BayesianLSTM) || !super.equals(o)) {
            return false;
        }
        return meanField.equals(((BayesianLSTM) o).meanField);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), meanField);
    }

    @Override
    public String toString() {
        return "BayesianLSTM(name=" + getLayerName() + ", nIn=" + getNIn() + ", nOut=" + getNOut() + ", activation="
                + getActivationFn() + ", gateActivation=" + getGateActivationFn() + ", forgetGateBiasInit="
                + getForgetGateBiasInit() + ", dataFormat=" + getRnnDataFormat() + ", " + meanField + ")";
    }

    /**
     * Builder in DL4J's style ({@code LSTM.Builder}'s options: activation (default tanh), gate activation (default
     * sigmoid), forget-gate bias init (default 1), data format, nIn inferred from {@code InputType.recurrent}), with
     * the Bayesian options of {@link BayesianBuilder}.
     */
    public static class Builder extends AbstractLSTM.Builder<Builder> implements BayesianBuilder<Builder> {
        private final MeanFieldSettings meanField = new MeanFieldSettings();

        /** A builder with DL4J's LSTM defaults: tanh activation, sigmoid gates, forget-gate bias 1. */
        public Builder() {
            this.setActivationFn(new ActivationTanH());
            this.setGateActivationFn(new ActivationSigmoid());
            this.setForgetGateBiasInit(1.0);
        }

        @Override
        public MeanFieldSettings meanFieldSettings() {
            return meanField;
        }

        @Override
        public Builder nIn(int nIn) {
            return super.nIn(ArgumentChecks.positive("nIn", nIn));
        }

        @Override
        public Builder nIn(long nIn) {
            return super.nIn(ArgumentChecks.positive("nIn", nIn));
        }

        @Override
        public Builder nOut(int nOut) {
            return super.nOut(ArgumentChecks.positive("nOut", nOut));
        }

        @Override
        public Builder nOut(long nOut) {
            return super.nOut(ArgumentChecks.positive("nOut", nOut));
        }

        /** @param activation the gates' activation; default sigmoid (must map into [0, 1] for a true LSTM) */
        @Override
        public Builder gateActivationFunction(Activation activation) {
            return super.gateActivationFunction(Objects.requireNonNull(activation, "gateActivationFunction"));
        }

        @Override
        @SuppressWarnings("unchecked")
        public BayesianLSTM build() {
            return new BayesianLSTM(this);
        }
    }
}
