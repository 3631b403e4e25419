package io.github.dl4jbayes.layers.impl;

import io.github.dl4jbayes.internal.meanfield.MeanFieldPosterior;
import io.github.dl4jbayes.layers.BayesianLayer;
import io.github.dl4jbayes.layers.KernelPolicy;
import io.github.dl4jbayes.layers.MeanFieldState;
import io.github.dl4jbayes.priors.MeanFieldSample;

/**
 * What every Bayesian layer implementation offers the library's own code beyond {@link BayesianLayer}: its posterior
 * (draws, gradient views, KL term), for training paths that compute a step without DL4J's per-layer passes (the fused
 * step of {@code Advi}). {@link BayesianLayer}'s methods are answered by the posterior. No compatibility promise.
 */
public interface MeanFieldLayerImpl extends BayesianLayer {

    /** @return this layer instance's posterior at run time */
    MeanFieldPosterior posterior();

    @Override
    default MeanFieldState meanFieldState() {
        return posterior().state();
    }

    @Override
    default KernelPolicy kernelPolicy() {
        return posterior().kernelPolicy();
    }

    @Override
    default void setKernelPolicy(KernelPolicy policy) {
        posterior().setKernelPolicy(policy);
    }

    @Override
    default double klDivergence() {
        return posterior().klDivergence();
    }

    @Override
    default double klDivergenceOfLastScore() {
        return posterior().klDivergenceOfLastScore();
    }

    @Override
    default MeanFieldSample posteriorSnapshot() {
        return posterior().snapshot(null);
    }

    @Override
    default long weightCount() {
        return posterior().block().weightCount();
    }

    @Override
    default long prune(double snrThreshold) {
        return posterior().prune(snrThreshold);
    }

    @Override
    default double[] weightSignalToNoiseRatios() {
        return posterior().weightSignalToNoiseRatios();
    }
}
