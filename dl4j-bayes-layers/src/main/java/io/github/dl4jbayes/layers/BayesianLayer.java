package io.github.dl4jbayes.layers;

import io.github.dl4jbayes.priors.MeanFieldSample;

/**
 * A Bayesian layer of a network, as an instance (the implementation DL4J builds from a {@link BayesianLayerConfig}
 * for one network): its configuration, its run-time state, the KL divergence of its posterior to its prior, and the
 * per-layer work of {@link Pruning}. Implemented by the layer implementations in {@code io.github.dl4jbayes.layers.impl};
 * {@link BayesianNetworks} finds them in a network.
 */
public interface BayesianLayer {

    /** @return the layer's configuration (shared by every network built from it: hyperparameters only) */
    BayesianLayerConfig bayesianConfig();

    /** @return this layer instance's own run-time state (dataset size, KL weight, inference mode, noise) */
    MeanFieldState meanFieldState();

    /** @return how this layer instance computes its element-wise work (its network's {@link KernelPolicy}) */
    KernelPolicy kernelPolicy();

    /**
     * Sets how this layer instance computes; the layer chooses its kernel again. {@link BayesianNetworks#setKernelPolicy}
     * sets it for every Bayesian layer of a network.
     *
     * @param policy the policy (not null)
     */
    void setKernelPolicy(KernelPolicy policy);

    /** @return {@code KL(q || p)} of this layer at its current parameters, unscaled */
    double klDivergence();

    /**
     * @return the {@code KL(q || p)} the layer's last training score used (before the update that followed it), or
     *         {@link #klDivergence()} when it has not been scored since its last input
     */
    double klDivergenceOfLastScore();

    /**
     * @return a copy of the layer's posterior at its current parameters (means and standard deviations, without pruned
     *         parameters, in double precision), as the priors see it
     */
    MeanFieldSample posteriorSnapshot();

    /** @return the layer's number of weights (biases not counted) */
    long weightCount();

    /**
     * Prunes every weight of this layer whose signal-to-noise ratio {@code |mu| / sigma} is below
     * {@code snrThreshold} (see {@link Pruning}); weights pruned before stay pruned.
     *
     * @param snrThreshold the threshold (finite, &ge; 0)
     * @return how many of the layer's weights are pruned after this call
     */
    long prune(double snrThreshold);

    /** @return the signal-to-noise ratios {@code |mu| / sigma} of the layer's unpruned weights, in parameter order */
    double[] weightSignalToNoiseRatios();
}
