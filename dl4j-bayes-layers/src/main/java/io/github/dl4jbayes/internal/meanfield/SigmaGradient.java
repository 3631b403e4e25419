package io.github.dl4jbayes.internal.meanfield;

/**
 * How an estimator hands the data term's gradient with respect to sigma to {@link MeanFieldPosterior#completeGradient}.
 */
public enum SigmaGradient {
    /**
     * The weights were drawn whole ({@code w = mu + sigma eps}): {@code dL/dsigma = dL/dw * eps}, with {@code dL/dw}
     * the gradient written into the mean block ({@code dL/dmu = dL/dw}).
     */
    FROM_MEAN_GRADIENT,
    /**
     * A perturbation {@code sigma eps} was drawn (Flipout): the rho block holds {@code dL/d(sigma eps)}, and
     * {@code dL/dsigma} is that times {@code eps}.
     */
    FROM_PERTURBATION_GRADIENT,
    /**
     * No weights were drawn, the pre-activations were (local reparameterization): the rho block holds
     * {@code 2 dL/d(sigma^2)}, and {@code dL/dsigma} is that times sigma.
     */
    FROM_VARIANCE_GRADIENT
}
