package io.github.dl4jbayes.layers;

import io.github.dl4jbayes.internal.ArgumentChecks;
import io.github.dl4jbayes.layers.impl.BayesianDenseLayerImpl;
import io.github.dl4jbayes.layers.impl.MeanFieldMemory;
import io.github.dl4jbayes.layers.impl.MeanFieldParamInitializer;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;
import java.util.Objects;

/**
 * A fully connected layer with a mean-field Gaussian posterior over its weights and biases (Bayes by
 * backprop): each parameter has a mean {@code mu} and a {@code rho}, with standard deviation
 * {@code sigma = softplus(rho)}, and every forward pass in training uses fresh noise as the layer's
 * {@link Estimator} says (by default fresh weights {@code w = mu + sigma * eps}, {@code eps ~ N(0, 1)}, shared by the
 * minibatch). The prior's KL divergence, divided by the dataset size, is added to the network's score, which is then
 * the negative ELBO per example.
 *
 * <pre>{@code
 * new BayesianDenseLayer.Builder().nIn(2).nOut(5).activation(Activation.TANH)
 *         .prior(new GaussianPrior(0, 1)).estimator(Estimator.FLIPOUT).hasBias(false).build()
 * }</pre>
 *
 * Parameters: {@code Wmu, bmu, Wrho, brho} (see {@link MeanFieldLayout}).
 */
public class BayesianDenseLayer extends FeedForwardLayer implements BayesianLayerConfig {
    private static final long serialVersionUID = 1L;

    private boolean hasBias = true;
    private MeanFieldSettings meanField = new MeanFieldSettings();

    /** For JSON deserialization. */
    public BayesianDenseLayer() {
    }

    private BayesianDenseLayer(Builder builder) {
        super(builder);
        this.hasBias = builder.hasBias;
        this.meanField = builder.meanField.copyFor(builder);
        initializeConstraints(builder);
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> trainingListeners, int layerIndex,
                                                       INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        LayerValidation.assertNInNOutSet("BayesianDenseLayer", getLayerName(), layerIndex, getNIn(), getNOut());
        return MeanFieldParamInitializer.bind(new BayesianDenseLayerImpl(conf, networkDataType), conf, trainingListeners,
                layerIndex, layerParamsView, initializeParams);
    }

    @Override
    public ParamInitializer initializer() {
        return MeanFieldParamInitializer.getInstance();
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        return MeanFieldMemory.report(this, BayesianDenseLayer.class, inputType, getOutputType(-1, inputType));
    }

    @Override
    public boolean hasBias() {
        return hasBias;
    }

    /** @return whether the layer has biases (for JSON) */
    public boolean isHasBias() {
        return hasBias;
    }

    /** @param hasBias whether the layer has biases (for JSON) */
    public void setHasBias(boolean hasBias) {
        this.hasBias = hasBias;
    }

    @Override
    public MeanFieldSettings getMeanField() {
        return meanField;
    }

    /** @param meanField the prior and the initial posterior std (for JSON) */
    public void setMeanField(MeanFieldSettings meanField) {
        this.meanField = Objects.requireNonNull(meanField, "meanField");
    }

    @Override
    public BayesianDenseLayer clone() {
        BayesianDenseLayer copy = (BayesianDenseLayer) super.clone();
        copy.meanField = meanField.copy();
        return copy;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof BayesianDenseLayer) || !super.equals(o)) {
            return false;
        }
        BayesianDenseLayer that = (BayesianDenseLayer) o;
        return hasBias == that.hasBias && meanField.equals(that.meanField);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), hasBias, meanField);
    }

    @Override
    public String toString() {
        return "BayesianDenseLayer(name=" + getLayerName() + ", nIn=" + getNIn() + ", nOut=" + getNOut() + ", activation="
                + getActivationFn() + ", hasBias=" + hasBias + ", " + meanField + ")";
    }

    /** Builder in DL4J's style, with the Bayesian options of {@link BayesianBuilder}. */
    public static class Builder extends FeedForwardLayer.Builder<Builder> implements BayesianBuilder<Builder> {
        private boolean hasBias = true;
        private final MeanFieldSettings meanField = new MeanFieldSettings();

        /** @param hasBias whether to include (Bayesian) biases; default true */
        public Builder hasBias(boolean hasBias) {
            this.hasBias = hasBias;
            return this;
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

        @Override
        @SuppressWarnings("unchecked")
        public BayesianDenseLayer build() {
            return new BayesianDenseLayer(this);
        }
    }
}
