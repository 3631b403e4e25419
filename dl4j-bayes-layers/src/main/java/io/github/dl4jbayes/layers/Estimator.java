package io.github.dl4jbayes.layers;

/**
 * How a Bayesian layer estimates the gradient of the ELBO's data term in training, set per layer with
 * {@code .estimator(Estimator.X)} on its builder and saved with the configuration. All three are unbiased estimators
 * of the gradient of the same ELBO (the KL term is the same analytic one); they differ in variance and cost. Outside
 * training, whatever the estimator, a layer in {@link InferenceMode#SAMPLE} draws whole weights, so that one
 * predictive sample is one network. See {@code docs/math.md} and the user guide's "Choosing an estimator".
 */
public enum Estimator {
    /**
     * One draw of the whole weights {@code w = mu + sigma eps} per forward pass, shared by the minibatch (Bayes by
     * backprop). The default. Cheapest per step for small layers; its gradient noise does not shrink with the
     * minibatch size.
     */
    REPARAMETERIZATION,
    /**
     * The local reparameterization (Kingma, Salimans and Welling 2015): the pre-activations are drawn,
     * {@code N(x mu, x^2 sigma^2)}, independently per example and unit. Dense and output layers only (a convolution
     * shares its weights across positions, so the pre-activations are not independent; convolution layers reject
     * it).
     */
    LOCAL_REPARAMETERIZATION,
    /**
     * Flipout (Wen et al. 2018): one perturbation {@code sigma eps} per forward pass, decorrelated between examples
     * by random signs per example and input / output channel. Dense, output and convolution layers; about twice the
     * arithmetic of a plain layer.
     */
    FLIPOUT
}
