package io.github.dl4jbayes.layers;

import io.github.dl4jbayes.priors.KlEstimate;
import io.github.dl4jbayes.priors.Prior;

/**
 * The Bayesian options every Bayesian layer builder has, besides DL4J's own: {@link #prior}, {@link #klEstimate},
 * {@link #initialPosteriorStd} and {@link #estimator}. Implemented by the builders of {@link BayesianDenseLayer}, {@link BayesianOutputLayer} and
 * {@link BayesianConvolutionLayer}, which extend different DL4J builders.
 *
 * @param <B> the builder's own type
 */
public interface BayesianBuilder<B extends BayesianBuilder<B>> {

    /** @return the settings this builder fills (copied into the layer configuration when it is built) */
    MeanFieldSettings meanFieldSettings();

    /** @param prior the prior over the weights and biases; default {@code GaussianPrior(0, 1)} */
    @SuppressWarnings("unchecked")
    default B prior(Prior prior) {
        meanFieldSettings().setPrior(prior);
        return (B) this;
    }

    /**
     * @param estimate how the KL term is computed: {@link KlEstimate#AUTO} (default: the closed form where the prior
     *                 has one, else the Monte-Carlo estimate), {@link KlEstimate#ANALYTIC} or {@link KlEstimate#MONTE_CARLO}
     */
    @SuppressWarnings("unchecked")
    default B klEstimate(KlEstimate estimate) {
        meanFieldSettings().setKlEstimate(estimate);
        return (B) this;
    }

    /** @param std the posterior standard deviation every parameter starts from (&gt; 0); default 0.05 */
    @SuppressWarnings("unchecked")
    default B initialPosteriorStd(double std) {
        meanFieldSettings().setInitialPosteriorStd(std);
        return (B) this;
    }

    /**
     * @param estimator the estimator of the ELBO's gradient in training; default {@link Estimator#REPARAMETERIZATION}
     */
    @SuppressWarnings("unchecked")
    default B estimator(Estimator estimator) {
        meanFieldSettings().setEstimator(estimator);
        return (B) this;
    }
}
