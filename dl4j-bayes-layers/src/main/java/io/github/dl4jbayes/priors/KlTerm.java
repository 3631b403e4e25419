package io.github.dl4jbayes.priors;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A layer's KL term: its prior together with how the KL is computed ({@link KlEstimate}), resolved to either the
 * prior's closed form or {@link MonteCarloKl}. What a layer's kernel calls; one instance per prior and choice.
 */
public final class KlTerm {
    private final Prior prior;
    private final boolean monteCarlo;

    private KlTerm(Prior prior, boolean monteCarlo) {
        this.prior = prior;
        this.monteCarlo = monteCarlo;
    }

    /**
     * @param prior    the layer's prior
     * @param estimate how its KL is computed
     * @return the KL term
     * @throws IllegalArgumentException if {@code estimate} is {@link KlEstimate#ANALYTIC} and the prior has no closed form
     */
    public static KlTerm of(Prior prior, KlEstimate estimate) {
        if (estimate == KlEstimate.ANALYTIC && !prior.hasAnalyticKl()) {
            throw new IllegalArgumentException(prior + " has no closed-form KL divergence; use KlEstimate.MONTE_CARLO or AUTO");
        }
        return new KlTerm(prior, estimate.usesMonteCarlo(prior));
    }

    /** @return the prior */
    public Prior prior() {
        return prior;
    }

    /** @return whether the term is the Monte-Carlo estimate, which needs the noise of a weight draw */
    public boolean isMonteCarlo() {
        return monteCarlo;
    }

    /** @return {@code KL(q || p)} (or its single-draw estimate at q's draw) */
    public double klDivergence(MeanFieldSample q) {
        return monteCarlo ? MonteCarloKl.klDivergence(prior, q) : prior.klDivergence(q);
    }

    /** Adds {@code scale} times the gradient of {@link #klDivergence(MeanFieldSample)}. */
    public void addKlGradient(MeanFieldSample q, double scale, double[] gradMu, double[] gradSigma) {
        if (monteCarlo) {
            MonteCarloKl.addKlGradient(prior, q, scale, gradMu, gradSigma);
        } else {
            prior.addKlGradient(q, scale, gradMu, gradSigma);
        }
    }

    /** Bulk form of {@link #klDivergence(MeanFieldSample)}. */
    public double klDivergence(INDArray mu, INDArray sigma, INDArray eps, PriorScratch scratch) {
        return monteCarlo ? MonteCarloKl.klDivergence(prior, mu, sigma, eps, scratch)
                : prior.klDivergence(mu, sigma, eps, scratch);
    }

    /** Bulk form of {@link #addKlGradient(MeanFieldSample, double, double[], double[])}. */
    public void addKlGradient(INDArray mu, INDArray sigma, INDArray eps, double scale, INDArray gradMu,
                              INDArray gradSigma, PriorScratch scratch) {
        if (monteCarlo) {
            MonteCarloKl.addKlGradient(prior, mu, sigma, eps, scale, gradMu, gradSigma, scratch);
        } else {
            prior.addKlGradient(mu, sigma, eps, scale, gradMu, gradSigma, scratch);
        }
    }

    @Override
    public String toString() {
        return (monteCarlo ? "MonteCarloKl(" : "AnalyticKl(") + prior + ")";
    }
}
