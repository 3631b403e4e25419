package io.github.dl4jbayes.layers;

import io.github.dl4jbayes.priors.GaussianPrior;
import io.github.dl4jbayes.priors.Prior;

import java.io.Serializable;
import java.util.Objects;

/**
 * The variational part of a Bayesian layer's configuration, shared by {@link BayesianDenseLayer} and
 * {@link BayesianOutputLayer}: the prior, the initial posterior standard deviation, and the ELBO settings that
 * training sets for the whole network ({@link BayesianNetworks#setDatasetSize}, {@link BayesianNetworks#setKlWeight},
 * {@link BayesianNetworks#setInferenceMode}).
 */
public final class MeanFieldSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Default initial posterior standard deviation: softplus(-3), as in common Bayes-by-backprop layers. */
    public static final double DEFAULT_INITIAL_POSTERIOR_STD = 0.05;

    private Prior prior = GaussianPrior.standardNormal();
    private double initialPosteriorStd = DEFAULT_INITIAL_POSTERIOR_STD;
    private long datasetSize;
    private double klWeight = 1.0;
    private InferenceMode inferenceMode = InferenceMode.SAMPLE;

    /** Creates the defaults: N(0, 1) prior, initial posterior std 0.05, dataset size unset, KL weight 1. */
    public MeanFieldSettings() {
    }

    /** @return a copy that shares only the (immutable) prior */
    public MeanFieldSettings copy() {
        MeanFieldSettings c = new MeanFieldSettings();
        c.prior = prior;
        c.initialPosteriorStd = initialPosteriorStd;
        c.datasetSize = datasetSize;
        c.klWeight = klWeight;
        c.inferenceMode = inferenceMode;
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
        if (!(initialPosteriorStd > 0) || !Double.isFinite(initialPosteriorStd)) {
            throw new IllegalArgumentException("initialPosteriorStd must be a finite number > 0, got " + initialPosteriorStd);
        }
        this.initialPosteriorStd = initialPosteriorStd;
    }

    /** @return N, the number of training examples the KL term is divided by; 0 when unset */
    public long getDatasetSize() {
        return datasetSize;
    }

    /** @param datasetSize N, the number of training examples (&gt; 0), or 0 to unset */
    public void setDatasetSize(long datasetSize) {
        if (datasetSize < 0) {
            throw new IllegalArgumentException("datasetSize must be > 0, got " + datasetSize);
        }
        this.datasetSize = datasetSize;
    }

    /** @return the weight on the KL term (1 for the ELBO; below 1 during KL annealing) */
    public double getKlWeight() {
        return klWeight;
    }

    /** @param klWeight the weight on the KL term, finite and &ge; 0 */
    public void setKlWeight(double klWeight) {
        if (!(klWeight >= 0) || !Double.isFinite(klWeight)) {
            throw new IllegalArgumentException("klWeight must be a finite number >= 0, got " + klWeight);
        }
        this.klWeight = klWeight;
    }

    /** @return what the layer uses for its weights outside training */
    public InferenceMode getInferenceMode() {
        return inferenceMode;
    }

    /** @param inferenceMode what the layer uses for its weights outside training */
    public void setInferenceMode(InferenceMode inferenceMode) {
        this.inferenceMode = Objects.requireNonNull(inferenceMode, "inferenceMode must not be null");
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
        return Double.compare(initialPosteriorStd, that.initialPosteriorStd) == 0 && datasetSize == that.datasetSize
                && Double.compare(klWeight, that.klWeight) == 0 && prior.equals(that.prior)
                && inferenceMode == that.inferenceMode;
    }

    @Override
    public int hashCode() {
        return Objects.hash(prior, initialPosteriorStd, datasetSize, klWeight, inferenceMode);
    }

    @Override
    public String toString() {
        return "MeanFieldSettings(prior=" + prior + ", initialPosteriorStd=" + initialPosteriorStd + ", datasetSize="
                + datasetSize + ", klWeight=" + klWeight + ", inferenceMode=" + inferenceMode + ")";
    }
}
