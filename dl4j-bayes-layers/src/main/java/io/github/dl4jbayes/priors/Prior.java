package io.github.dl4jbayes.priors;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonTypeInfo;

import java.io.Serializable;

/**
 * A prior {@code p(w)} over the parameters of a Bayesian layer, seen through what the ELBO needs of it: the KL
 * divergence {@code KL(q || p)} to the layer's mean-field Gaussian posterior {@code q}, and its gradient.
 *
 * <p>Every prior gives its log density at the drawn weights and its derivative ({@link #logDensity},
 * {@link #addLogDensityGradient}): that is all the Monte-Carlo KL ({@link MonteCarloKl}) needs, the single-draw
 * estimate {@code log q(w) - log p(w)} with its exact reparameterized gradient. A prior with a closed-form KL (such as
 * {@link GaussianPrior}) also says so ({@link #hasAnalyticKl()}) and implements {@link #klDivergence} and
 * {@link #addKlGradient}. A layer's {@link KlEstimate} picks which of the two its KL term uses.
 *
 * <p>The layer does not know which prior it holds: it hands the prior a {@link MeanFieldSample} (entry {@code i} is
 * the parameter at {@code q.position(i)} of the layer's block, weights in the layer's flattened order, then biases).
 * Before a layer uses a prior it calls {@link #validate(ParameterBlock)}, so that a prior holding values per parameter
 * can reject a block of the wrong size.
 *
 * <p>Large layers with an analytic KL are handled in bulk, with ND4J arrays:
 * {@link #klDivergence(INDArray, INDArray, INDArray, PriorScratch)} and
 * {@link #addKlGradient(INDArray, INDArray, INDArray, double, INDArray, INDArray, PriorScratch)}. Their default
 * implementations copy to Java arrays and call the element-wise methods; {@link GaussianPrior} overrides them with ND4J
 * operations.
 *
 * <p>Implementations must be immutable and JSON-serializable (Jackson annotations), since they are stored in the
 * layer configuration.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.CLASS, include = JsonTypeInfo.As.PROPERTY, property = "@class")
public interface Prior extends Serializable {

    /**
     * @param q the posterior and the current draw of one parameter block
     * @return {@code sum_i log p(w_i)} at the drawn weights {@code w_i = q.weight(i)}, normalizing constants included
     */
    double logDensity(MeanFieldSample q);

    /**
     * Adds {@code scale * d log p / dw_i} at the drawn weights to {@code gradW[i]} for every entry of {@code q}.
     * A prior whose density depends on {@code q} itself (a learned scale) holds that dependence fixed here and adds it
     * in {@link #addLogDensityPosteriorGradient}.
     */
    void addLogDensityGradient(MeanFieldSample q, double scale, double[] gradW);

    /**
     * Adds {@code scale} times the derivative of {@link #logDensity} with respect to {@code mu_i} and {@code sigma_i}
     * through the prior's own dependence on the posterior (a learned scale is a function of it), the drawn weights
     * held fixed. Priors that do not depend on the posterior, the common case, add nothing.
     */
    default void addLogDensityPosteriorGradient(MeanFieldSample q, double scale, double[] gradMu, double[] gradSigma) {
    }

    /** @return whether {@link #klDivergence(MeanFieldSample)} is the exact KL (a closed form) */
    default boolean hasAnalyticKl() {
        return false;
    }

    /**
     * @param q the posterior of one parameter block (a layer's weights and biases)
     * @return {@code KL(q || p)} summed over the block, in closed form
     * @throws UnsupportedOperationException if the prior has no closed form ({@link #hasAnalyticKl()} is false)
     */
    default double klDivergence(MeanFieldSample q) {
        throw noClosedForm();
    }

    /**
     * Adds {@code scale * dKL/dmu_i} to {@code gradMu[i]} and {@code scale * dKL/dsigma_i} to
     * {@code gradSigma[i]} for every entry of the block, for the closed-form KL.
     *
     * @throws UnsupportedOperationException if the prior has no closed form
     */
    default void addKlGradient(MeanFieldSample q, double scale, double[] gradMu, double[] gradSigma) {
        throw noClosedForm();
    }

    /**
     * Checks that the prior fits a layer's block (a prior with values per parameter checks their number); called when
     * a layer is built, before any step.
     *
     * @throws IllegalArgumentException naming the layer and the mismatch
     */
    default void validate(ParameterBlock block) {
    }

    /**
     * Bulk form of {@link #klDivergence(MeanFieldSample)} on vectors of the block's parameters, without pruned
     * parameters. The sum must be accumulated in double precision whatever the data type (see {@link PriorScratch}).
     *
     * @param mu      posterior means, a vector
     * @param sigma   posterior standard deviations, same length
     * @param eps     the current draw's noise, same length
     * @param scratch working memory the prior may overwrite (so that it need not allocate)
     * @return {@code KL(q || p)} summed over the block
     */
    default double klDivergence(INDArray mu, INDArray sigma, INDArray eps, PriorScratch scratch) {
        return klDivergence(scratch.sample(mu, sigma, eps));
    }

    /**
     * Bulk form of {@link #addKlGradient(MeanFieldSample, double, double[], double[])}: adds
     * {@code scale * dKL/dmu} to {@code gradMu} and {@code scale * dKL/dsigma} to {@code gradSigma}, in place;
     * {@code scratch} is working memory the prior may overwrite.
     */
    default void addKlGradient(INDArray mu, INDArray sigma, INDArray eps, double scale, INDArray gradMu,
                               INDArray gradSigma, PriorScratch scratch) {
        MeanFieldSample q = scratch.sample(mu, sigma, eps);
        double[] gMu = scratch.read(gradMu, 0);
        double[] gSigma = scratch.read(gradSigma, 1);
        addKlGradient(q, scale, gMu, gSigma);
        scratch.writeBack(gMu, gradMu);
        scratch.writeBack(gSigma, gradSigma);
    }

    private UnsupportedOperationException noClosedForm() {
        return new UnsupportedOperationException(getClass().getSimpleName() + " has no closed-form KL divergence: "
                + "use the Monte-Carlo KL (KlEstimate.MONTE_CARLO, or KlEstimate.AUTO, the default)");
    }
}
