package io.github.dl4jbayes.priors;

/**
 * The mean-field Gaussian posterior of one block of parameters, together with the reparameterization
 * noise of the current draw: {@code q(w_i) = N(mu_i, sigma_i^2)} and {@code w_i = mu_i + sigma_i * eps_i}.
 *
 * <p>This is what a {@link Prior} sees: analytic-KL priors use {@code mu} and {@code sigma}; Monte-Carlo-KL
 * priors may also use the drawn weights {@link #weight(int)}. The arrays are owned by the layer and reused
 * between steps; a prior must not keep references to them.
 */
public final class MeanFieldSample {
    private final double[] mu;
    private final double[] sigma;
    private final double[] eps;

    /**
     * @param mu    posterior means
     * @param sigma posterior standard deviations (all &gt; 0)
     * @param eps   standard-normal noise of the current draw (same length)
     */
    public MeanFieldSample(double[] mu, double[] sigma, double[] eps) {
        if (mu.length != sigma.length || mu.length != eps.length) {
            throw new IllegalArgumentException("mu, sigma and eps must have the same length: "
                    + mu.length + ", " + sigma.length + ", " + eps.length);
        }
        this.mu = mu;
        this.sigma = sigma;
        this.eps = eps;
    }

    /** @return the number of parameters in the block */
    public int size() {
        return mu.length;
    }

    /** @return the posterior mean of parameter {@code i} */
    public double mu(int i) {
        return mu[i];
    }

    /** @return the posterior standard deviation of parameter {@code i} */
    public double sigma(int i) {
        return sigma[i];
    }

    /** @return the standard-normal noise of the current draw for parameter {@code i} */
    public double eps(int i) {
        return eps[i];
    }

    /** @return the drawn value {@code mu_i + sigma_i * eps_i} of parameter {@code i} */
    public double weight(int i) {
        return mu[i] + sigma[i] * eps[i];
    }
}
