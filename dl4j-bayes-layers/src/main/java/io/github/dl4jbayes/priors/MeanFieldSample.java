package io.github.dl4jbayes.priors;

/**
 * The mean-field Gaussian posterior of one block of parameters, together with the reparameterization
 * noise of the current draw: {@code q(w_i) = N(mu_i, sigma_i^2)} and {@code w_i = mu_i + sigma_i * eps_i}.
 *
 * <p>This is what a {@link Prior} sees. Entry {@code i} (for {@code i < size()}) is the parameter at
 * {@link #position(int) position(i)} of the layer's block (whose structure is {@link #block()}): the two differ only
 * when the layer has pruned parameters, which are left out of the sample. Priors that hold a value per parameter or
 * pool per unit index by position. The arrays are owned by the layer and reused between steps; a prior must not keep
 * references to them.
 */
public final class MeanFieldSample {
    private final ParameterBlock block;
    private final double[] mu;
    private final double[] sigma;
    private final double[] eps;
    private final int[] positions;
    private final int size;
    private double[] work;

    /**
     * A sample of a whole block in one unit, every entry at its own position.
     *
     * @param mu    posterior means
     * @param sigma posterior standard deviations (all &gt; 0)
     * @param eps   standard-normal noise of the current draw (same length)
     */
    public MeanFieldSample(double[] mu, double[] sigma, double[] eps) {
        this(ParameterBlock.flat(mu.length), mu, sigma, eps, null, mu.length);
    }

    /**
     * @param block     the structure of the layer's block
     * @param mu        posterior means (at least {@code size} entries)
     * @param sigma     posterior standard deviations, all &gt; 0
     * @param eps       standard-normal noise of the current draw
     * @param positions the block position of each entry, or null when entry {@code i} is position {@code i}
     * @param size      the number of entries in use
     */
    public MeanFieldSample(ParameterBlock block, double[] mu, double[] sigma, double[] eps, int[] positions, int size) {
        if (mu.length < size || sigma.length < size || eps.length < size || (positions != null && positions.length < size)) {
            throw new IllegalArgumentException("mu, sigma, eps (and positions) must hold " + size + " entries: "
                    + mu.length + ", " + sigma.length + ", " + eps.length);
        }
        if (positions == null && size != block.size()) {
            throw new IllegalArgumentException("a sample without positions must cover the block: " + size + " entries for "
                    + block.describe());
        }
        this.block = block;
        this.mu = mu;
        this.sigma = sigma;
        this.eps = eps;
        this.positions = positions;
        this.size = size;
    }

    /** @return the structure of the layer's block */
    public ParameterBlock block() {
        return block;
    }

    /** @return the number of entries (the block's parameters, less any pruned ones) */
    public int size() {
        return size;
    }

    /** @return the position in the layer's block of entry {@code i} */
    public int position(int i) {
        return positions == null ? i : positions[i];
    }

    /** @return the output unit of entry {@code i} ({@link ParameterBlock#unitOf}) */
    public int unit(int i) {
        return block.unitOf(position(i));
    }

    /** @return the posterior mean of entry {@code i} */
    public double mu(int i) {
        return mu[i];
    }

    /** @return the posterior standard deviation of entry {@code i} */
    public double sigma(int i) {
        return sigma[i];
    }

    /** @return the array holding the standard deviations in its first {@link #size()} elements (not a copy) */
    public double[] sigmas() {
        return sigma;
    }

    /** @return the standard-normal noise of the current draw for entry {@code i} */
    public double eps(int i) {
        return eps[i];
    }

    /** @return the drawn value {@code mu_i + sigma_i * eps_i} of entry {@code i} */
    public double weight(int i) {
        return mu[i] + sigma[i] * eps[i];
    }

    /** @return a zeroed working array of {@link #size()} entries, owned by this sample (for the Monte-Carlo KL) */
    double[] zeroedWork() {
        if (work == null || work.length < size) {
            work = new double[mu.length];
        }
        java.util.Arrays.fill(work, 0, size, 0.0);
        return work;
    }
}
