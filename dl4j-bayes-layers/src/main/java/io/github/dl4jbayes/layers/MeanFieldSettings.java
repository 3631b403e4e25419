package io.github.dl4jbayes.layers;

import io.github.dl4jbayes.internal.ArgumentChecks;
import io.github.dl4jbayes.priors.GaussianPrior;
import io.github.dl4jbayes.priors.KlEstimate;
import io.github.dl4jbayes.priors.Prior;
import org.nd4j.shade.jackson.annotation.JsonIgnoreProperties;

import java.io.Serializable;
import java.util.Objects;

/**
 * The variational hyperparameters of a Bayesian layer's configuration, shared by every Bayesian layer: the prior,
 * how its KL term is computed ({@link KlEstimate}), the initial posterior standard deviation and the gradient
 * {@link Estimator}.
 *
 * <p>Configuration only: DL4J builds every network's layer from the same configuration object, so what changes
 * while a network trains or predicts (the dataset size N, the KL weight, the inference mode, the noise generator)
 * lives with each network's layer instance, in its {@link MeanFieldState}. Configurations saved by earlier versions,
 * which held those settings here, still load; the settings are ignored.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public final class MeanFieldSettings implements Serializable {
    private static final long serialVersionUID = 2L;

    /** Default initial posterior standard deviation: softplus(-3), as in common Bayes-by-backprop layers. */
    public static final double DEFAULT_INITIAL_POSTERIOR_STD = 0.05;

    private Prior prior = GaussianPrior.standardNormal();
    private double initialPosteriorStd = DEFAULT_INITIAL_POSTERIOR_STD;
    private Estimator estimator = Estimator.REPARAMETERIZATION;
    private KlEstimate klEstimate = KlEstimate.AUTO;
    private boolean weightInitOnLayer;

    /**
     * Creates the defaults: N(0, 1) prior, initial posterior std 0.05, {@link Estimator#REPARAMETERIZATION},
     * {@link KlEstimate#AUTO}.
     */
    public MeanFieldSettings() {
    }

    /**
     * @param layerBuilder the builder of the layer these settings go to, before DL4J applies the network's defaults
     * @return a copy for that layer's configuration, noting whether the builder set the layer's own weight init
     */
    public MeanFieldSettings copyFor(org.deeplearning4j.nn.conf.layers.BaseLayer.Builder<?> layerBuilder) {
        MeanFieldSettings c = copy();
        c.weightInitOnLayer = layerBuilder.getWeightInitFn() != null;
        return c;
    }

    /** @return a copy that shares only the (immutable) prior */
    public MeanFieldSettings copy() {
        MeanFieldSettings c = new MeanFieldSettings();
        c.prior = prior;
        c.initialPosteriorStd = initialPosteriorStd;
        c.estimator = estimator;
        c.klEstimate = klEstimate;
        c.weightInitOnLayer = weightInitOnLayer;
        return c;
    }

    /** @return the prior over the layer's weights and biases */
    public Prior getPrior() {
        return prior;
    }

    /** @param prior the prior over the layer's weights and biases (not null) */
    public void setPrior(Prior prior) {
        this.prior = Objects.requireNonNull(prior, "prior must not be null");
    }

    /** @return the posterior standard deviation every parameter starts from */
    public double getInitialPosteriorStd() {
        return initialPosteriorStd;
    }

    /** @param initialPosteriorStd the posterior standard deviation every parameter starts from (finite, &gt; 0) */
    public void setInitialPosteriorStd(double initialPosteriorStd) {
        ArgumentChecks.positiveFinite("initialPosteriorStd", initialPosteriorStd);
        this.initialPosteriorStd = initialPosteriorStd;
    }

    /** @return the estimator of the data term's gradient in training */
    public Estimator getEstimator() {
        return estimator;
    }

    /** @param estimator the estimator of the data term's gradient in training (not null) */
    public void setEstimator(Estimator estimator) {
        this.estimator = Objects.requireNonNull(estimator, "estimator must not be null");
    }

    /** @return how the KL term is computed */
    public KlEstimate getKlEstimate() {
        return klEstimate;
    }

    /** @param klEstimate how the KL term is computed (not null) */
    public void setKlEstimate(KlEstimate klEstimate) {
        this.klEstimate = Objects.requireNonNull(klEstimate, "klEstimate must not be null");
    }

    /**
     * @return whether the weight initialization was set on the layer's own builder. If not, and the network's is
     * DL4J's default {@code XAVIER}, the posterior means start from {@code RELU_UNIFORM} (He) instead: the defaults
     * study in the user guide found Xavier means too small for a Bayesian network (the KL term pulls small weights
     * to zero before they are used; 7-8 of 20 runs of the notebook's network ended near-linear).
     */
    public boolean isWeightInitOnLayer() {
        return weightInitOnLayer;
    }

    /** @param weightInitOnLayer whether the weight initialization was set on the layer itself (see the getter) */
    public void setWeightInitOnLayer(boolean weightInitOnLayer) {
        this.weightInitOnLayer = weightInitOnLayer;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof MeanFieldSettings)) {
            return false;
        }
        MeanFieldSettings that = (MeanFieldSettings) o;
        return Double.compare(initialPosteriorStd, that.initialPosteriorStd) == 0 && prior.equals(that.prior)
                && estimator == that.estimator && klEstimate == that.klEstimate
                && weightInitOnLayer == that.weightInitOnLayer;
    }

    @Override
    public int hashCode() {
        return Objects.hash(prior, initialPosteriorStd, estimator, klEstimate, weightInitOnLayer);
    }

    @Override
    public String toString() {
        return "MeanFieldSettings(prior=" + prior + ", initialPosteriorStd=" + initialPosteriorStd + ", estimator=" + estimator
                + ", klEstimate=" + klEstimate + ", weightInitOnLayer=" + weightInitOnLayer + ")";
    }
}
