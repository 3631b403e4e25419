package io.github.dl4jbayes.layers;

/**
 * What a Bayesian layer uses for its weights outside training (in training it always draws a fresh sample).
 */
public enum InferenceMode {
    /** Draw fresh weights from the posterior on every forward pass (the default), so that repeated
     * {@code net.output(x)} calls are posterior predictive samples. */
    SAMPLE,
    /** Use the posterior means: a deterministic network, for fast point predictions. */
    MEAN
}
