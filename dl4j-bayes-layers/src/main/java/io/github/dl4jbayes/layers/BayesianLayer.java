package io.github.dl4jbayes.layers;

import io.github.dl4jbayes.layers.meanfield.MeanFieldPosterior;

/**
 * A Bayesian layer of a network, as an instance (the implementation DL4J builds from a {@link BayesianLayerConfig}
 * for one network): its configuration, its run-time state, and the KL divergence of its posterior to its prior.
 * Implemented by the layer implementations in {@code io.github.dl4jbayes.layers.impl}; {@link BayesianNetworks} finds
 * them in a network.
 */
public interface BayesianLayer {

    /** @return the layer's configuration (shared by every network built from it: hyperparameters only) */
    BayesianLayerConfig bayesianConfig();

    /** @return this layer instance's own run-time state (dataset size, KL weight, inference mode, noise) */
    default MeanFieldState meanFieldState() {
        return posterior().state();
    }

    /** @return {@code KL(q || p)} of this layer at its current parameters, unscaled */
    default double klDivergence() {
        return posterior().klDivergence();
    }

    /**
     * @return the {@code KL(q || p)} the layer's last training score used (before the update that followed it), or
     *         {@link #klDivergence()} when it has not been scored since its last input
     */
    default double klDivergenceOfLastScore() {
        return posterior().klDivergenceOfLastScore();
    }

    /**
     * @return this layer instance's posterior at run time (its draws, gradient views and KL term), for training paths
     *         that compute a step without DL4J's per-layer passes (the fused path of {@code Advi})
     */
    MeanFieldPosterior posterior();
}
