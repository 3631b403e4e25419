package io.github.dl4jbayes.priors;

/**
 * How a Bayesian layer computes the KL term {@code KL(q || p)} of the ELBO and its gradient, chosen per layer with
 * {@code .klEstimate(...)} on the layer's builder.
 */
public enum KlEstimate {
    /** The closed form where the prior has one ({@link Prior#hasAnalyticKl()}), the Monte-Carlo estimate otherwise. */
    AUTO,
    /** The closed form; a layer whose prior has none is rejected when it is built. */
    ANALYTIC,
    /**
     * The single-draw estimate {@code log q(w) - log p(w)} at the step's own weight draw, with its exact
     * reparameterized gradient ({@link MonteCarloKl}): unbiased for any prior, noisier than the closed form.
     */
    MONTE_CARLO;

    /**
     * @param prior a layer's prior
     * @return whether this choice computes that prior's KL by Monte Carlo
     */
    public boolean usesMonteCarlo(Prior prior) {
        return this == MONTE_CARLO || (this == AUTO && !prior.hasAnalyticKl());
    }

    /**
     * @param prior a layer's prior
     * @param block the layer's parameter block, for the message
     * @throws IllegalArgumentException if this is {@link #ANALYTIC} and the prior has no closed form
     */
    public void check(Prior prior, ParameterBlock block) {
        if (this == ANALYTIC && !prior.hasAnalyticKl()) {
            throw new IllegalArgumentException("klEstimate ANALYTIC for " + block.describe() + ": " + prior
                    + " has no closed-form KL divergence; use KlEstimate.MONTE_CARLO or AUTO");
        }
    }
}
