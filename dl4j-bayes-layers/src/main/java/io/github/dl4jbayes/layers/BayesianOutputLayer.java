package io.github.dl4jbayes.layers;

import io.github.dl4jbayes.internal.ArgumentChecks;
import io.github.dl4jbayes.internal.StableMath;
import io.github.dl4jbayes.layers.impl.BayesianOutputLayerImpl;
import io.github.dl4jbayes.layers.impl.MeanFieldMemory;
import io.github.dl4jbayes.layers.impl.MeanFieldParamInitializer;
import io.github.dl4jbayes.likelihoods.LossGaussianNll;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

import java.util.Collection;
import java.util.Objects;

/**
 * An output layer with a mean-field Gaussian posterior over its weights and biases: DL4J's {@code OutputLayer}
 * (activation plus loss function, which is the negative log-likelihood of the model) whose parameters are drawn
 * as in {@link BayesianDenseLayer}.
 *
 * <pre>{@code
 * new BayesianOutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(5).nOut(1)
 *         .activation(Activation.SIGMOID).prior(new GaussianPrior(0, 1)).build()
 * }</pre>
 *
 * The loss must be a proper negative log-likelihood for the score to be the negative ELBO (e.g. {@code XENT}
 * with a sigmoid for a Bernoulli likelihood, {@code MCXENT} with a softmax for a categorical one).
 */
public class BayesianOutputLayer extends BaseOutputLayer implements BayesianLayerConfig {
    private static final long serialVersionUID = 1L;

    private MeanFieldSettings meanField = new MeanFieldSettings();
    /** Initial standard deviation of the learned homoscedastic noise; 0 when the layer does not learn one. */
    private double initialNoiseStd;

    /** For JSON deserialization. */
    public BayesianOutputLayer() {
    }

    /** @param builder the builder (also for {@link BayesianRnnOutputLayer}) */
    protected BayesianOutputLayer(Builder builder) {
        super(builder);
        this.meanField = builder.meanField.copyFor(builder);
        this.initialNoiseStd = builder.initialNoiseStd;
        if (initialNoiseStd > 0 && !(getLossFn() instanceof LossGaussianNll)) {
            throw new IllegalArgumentException("learnedNoise needs the Gaussian likelihood: use "
                    + "new BayesianOutputLayer.Builder(new LossGaussianNll()), got loss " + getLossFn());
        }
        if (initialNoiseStd > 0 && initialNoiseStd <= ((LossGaussianNll) getLossFn()).getMinStd()) {
            throw new IllegalArgumentException("learnedNoise initial std " + initialNoiseStd
                    + " must exceed the likelihood's minStd " + ((LossGaussianNll) getLossFn()).getMinStd());
        }
        initializeConstraints(builder);
    }

    @Override
    public boolean hasLearnedNoise() {
        return initialNoiseStd > 0;
    }

    /** @return the initial standard deviation of the learned noise, 0 when the layer learns none (for JSON) */
    public double getInitialNoiseStd() {
        return initialNoiseStd;
    }

    /** @param initialNoiseStd the initial standard deviation of the learned noise, 0 for none (for JSON) */
    public void setInitialNoiseStd(double initialNoiseStd) {
        this.initialNoiseStd = initialNoiseStd;
    }

    /** @return the raw scale {@code s} with {@code softplus(s) + minStd = initialNoiseStd} */
    public double initialNoiseRawScale() {
        return StableMath.inverseSoftplus(initialNoiseStd - ((LossGaussianNll) getLossFn()).getMinStd());
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> trainingListeners, int layerIndex,
                                                       INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        LayerValidation.assertNInNOutSet("BayesianOutputLayer", getLayerName(), layerIndex, getNIn(), getNOut());
        checkGaussianLikelihood(layerIndex);
        return MeanFieldParamInitializer.bind(implementation(conf, networkDataType), conf, trainingListeners,
                layerIndex, layerParamsView, initializeParams);
    }

    /** @return a new, unbound implementation of this configuration */
    protected BayesianOutputLayerImpl implementation(NeuralNetConfiguration conf, DataType networkDataType) {
        return new BayesianOutputLayerImpl(conf, networkDataType);
    }

    /**
     * Rejects a Gaussian likelihood the layer cannot feed, with what to do instead: DL4J's default softmax activation
     * (which would mix the means and the scales), or an odd {@code nOut} without a learned noise (the outputs are then
     * a mean and a raw scale per target).
     */
    private void checkGaussianLikelihood(int layerIndex) {
        if (!(getLossFn() instanceof LossGaussianNll)) {
            return;
        }
        String name = "Bayesian output layer " + (getLayerName() != null ? "'" + getLayerName() + "'" : "") + " (index "
                + layerIndex + ")";
        if (getActivationFn() instanceof ActivationSoftmax) {
            throw new IllegalArgumentException(name + ": the Gaussian likelihood (LossGaussianNll) under a softmax "
                    + "activation, DL4J's default for output layers: softmax would mix the means and the scales. Set "
                    + ".activation(Activation.IDENTITY).");
        }
        if (!hasLearnedNoise() && getNOut() % 2 != 0) {
            throw new IllegalArgumentException(name + ": with LossGaussianNll the outputs are a mean and a raw scale per "
                    + "target, so nOut must be 2 x the number of targets, got nOut = " + getNOut() + ". For "
                    + getNOut() + " target(s) with a noise scale per example: nOut(" + 2 * getNOut() + "); with one "
                    + "noise scale learned for all examples: nOut(" + getNOut() + ") and .learnedNoise(initialStd).");
        }
    }

    @Override
    public ParamInitializer initializer() {
        return MeanFieldParamInitializer.getInstance();
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        return MeanFieldMemory.report(this, BayesianOutputLayer.class, inputType, getOutputType(-1, inputType));
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
    public BayesianOutputLayer clone() {
        BayesianOutputLayer copy = (BayesianOutputLayer) super.clone();
        copy.meanField = meanField.copy();
        return copy;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof BayesianOutputLayer) || !super.equals(o)) {
            return false;
        }
        BayesianOutputLayer that = (BayesianOutputLayer) o;
        return meanField.equals(that.meanField) && Double.compare(initialNoiseStd, that.initialNoiseStd) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), meanField, initialNoiseStd);
    }

    @Override
    public String toString() {
        return "BayesianOutputLayer(name=" + getLayerName() + ", nIn=" + getNIn() + ", nOut=" + getNOut()
                + ", activation=" + getActivationFn() + ", loss=" + getLossFn() + ", hasBias=" + hasBias()
                + (hasLearnedNoise() ? ", learnedNoise(initialStd=" + initialNoiseStd + ")" : "") + ", "
                + meanField + ")";
    }

    /**
     * Builder in DL4J's style (loss function, activation, {@code hasBias}), with the Bayesian options of
     * {@link BayesianBuilder}. The default activation is softmax, as for DL4J's {@code OutputLayer}.
     */
    public static class Builder extends BaseOutputLayer.Builder<Builder> implements BayesianBuilder<Builder> {
        private final MeanFieldSettings meanField = new MeanFieldSettings();
        private double initialNoiseStd;

        /**
         * Learns a homoscedastic observation noise: one scale per output, its own parameter ({@code noise}, a point
         * estimate shared by all inputs), used by the {@link LossGaussianNll} likelihood. The layer's {@code nOut} is
         * then the number of targets (means only), and {@code net.output} returns the means followed by the raw
         * noise scales, as a heteroscedastic network's output does.
         *
         * @param initialStd the noise standard deviation to start from (&gt; the likelihood's minStd)
         */
        public Builder learnedNoise(double initialStd) {
            ArgumentChecks.positiveFinite("learnedNoise initial std", initialStd);
            this.initialNoiseStd = initialStd;
            return this;
        }

        /** A builder with DL4J's default loss (MCXENT) and softmax activation. */
        public Builder() {
            this.setActivationFn(new ActivationSoftmax());
        }

        /** @param lossFunction the loss function, i.e. the negative log-likelihood */
        public Builder(LossFunction lossFunction) {
            super.lossFunction(lossFunction);
            this.setActivationFn(new ActivationSoftmax());
        }

        /** @param lossFunction the loss function, i.e. the negative log-likelihood */
        public Builder(ILossFunction lossFunction) {
            this.setLossFn(lossFunction);
            this.setActivationFn(new ActivationSoftmax());
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
        public BayesianOutputLayer build() {
            return new BayesianOutputLayer(this);
        }
    }
}
