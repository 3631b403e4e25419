package io.github.dl4jbayes.priors;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The single-draw Monte-Carlo estimate of {@code KL(q || p)} for any {@link Prior}, at the step's own weight draw
 * {@code w_i = mu_i + sigma_i eps_i}:
 *
 * <pre>
 *   KL ~ sum_i [ log q(w_i) - log p(w_i) ],   log q(w_i) = -log sigma_i - eps_i^2 / 2 - log(2 pi) / 2
 * </pre>
 *
 * and its exact gradient through the reparameterization (eps held fixed). Since {@code w_i - mu_i = sigma_i eps_i},
 * {@code log q(w_i)} depends on the parameters only through {@code -log sigma_i}:
 *
 * <pre>
 *   d/dmu_i    = -p'(w_i)/p(w_i)
 *   d/dsigma_i = -1/sigma_i - eps_i p'(w_i)/p(w_i)
 * </pre>
 *
 * plus, for a prior that is itself a function of the posterior (a learned scale), the derivative through that
 * dependence ({@link Prior#addLogDensityPosteriorGradient}).
 *
 * The estimate is unbiased (its mean over draws is the KL) and so is its gradient; it is what a prior without a closed
 * form uses, and what {@link KlEstimate#MONTE_CARLO} selects for any prior.
 */
public final class MonteCarloKl {
    private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

    private MonteCarloKl() {
    }

    /** @return the single-draw estimate {@code sum_i log q(w_i) - log p(w_i)} at the draw of {@code q} */
    public static double klDivergence(Prior prior, MeanFieldSample q) {
        double logQ = 0.0;
        for (int i = 0; i < q.size(); i++) {
            double e = q.eps(i);
            logQ -= Math.log(q.sigma(i)) + 0.5 * e * e + HALF_LOG_TWO_PI;
        }
        return logQ - prior.logDensity(q);
    }

    /** Adds {@code scale} times the estimate's gradient to {@code gradMu} and {@code gradSigma}. */
    public static void addKlGradient(Prior prior, MeanFieldSample q, double scale, double[] gradMu, double[] gradSigma) {
        double[] dLogP = q.zeroedWork();
        prior.addLogDensityGradient(q, 1.0, dLogP);
        for (int i = 0; i < q.size(); i++) {
            gradMu[i] -= scale * dLogP[i];
            gradSigma[i] -= scale * (1.0 / q.sigma(i) + q.eps(i) * dLogP[i]);
        }
        prior.addLogDensityPosteriorGradient(q, -scale, gradMu, gradSigma);
    }

    /** Bulk form of {@link #klDivergence(Prior, MeanFieldSample)} through the scratch's Java arrays. */
    public static double klDivergence(Prior prior, INDArray mu, INDArray sigma, INDArray eps, PriorScratch scratch) {
        return klDivergence(prior, scratch.sample(mu, sigma, eps));
    }

    /** Bulk form of {@link #addKlGradient(Prior, MeanFieldSample, double, double[], double[])}, in place. */
    public static void addKlGradient(Prior prior, INDArray mu, INDArray sigma, INDArray eps, double scale,
                                     INDArray gradMu, INDArray gradSigma, PriorScratch scratch) {
        MeanFieldSample q = scratch.sample(mu, sigma, eps);
        double[] gMu = scratch.read(gradMu, 0);
        double[] gSigma = scratch.read(gradSigma, 1);
        addKlGradient(prior, q, scale, gMu, gSigma);
        scratch.writeBack(gMu, gradMu);
        scratch.writeBack(gSigma, gradSigma);
    }
}
