package io.github.dl4jbayes.priors;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonTypeInfo;

import java.io.Serializable;

/**
 * A prior {@code p(w)} over the parameters of a Bayesian layer, seen through the KL divergence it contributes
 * to the ELBO: {@code KL(q || p)} with {@code q} the layer's mean-field Gaussian posterior.
 *
 * <p>The layer does not know which prior it holds: it hands the prior a {@link MeanFieldSample} and asks for
 * the divergence and its gradient. A prior with a closed-form KL (such as {@link GaussianPrior}) ignores the
 * noise; a prior without one (scale mixtures, Laplace) may return the single-sample Monte-Carlo estimate
 * {@code log q(w) - log p(w)} at the drawn weights and its reparameterized gradient. A prior centred on
 * pretrained weights indexes its means by parameter position {@code i}, in the layer's flattened order
 * (weights column-major {@code [nIn, nOut]}, then biases).
 *
 * <p>Large layers are handled in bulk, with ND4J arrays: {@link #klDivergence(INDArray, INDArray, INDArray, PriorScratch)} and
 * {@link #addKlGradient(INDArray, INDArray, INDArray, double, INDArray, INDArray, PriorScratch)}. Their default implementations copy
 * to Java arrays and call the element-wise methods, so a new prior needs only those; a prior overrides the bulk methods
 * with ND4J operations when it matters for speed (as {@link GaussianPrior} does).
 *
 * <p>Implementations must be immutable and JSON-serializable (a no-argument constructor, or Jackson
 * annotations), since they are stored in the layer configuration.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.CLASS, include = JsonTypeInfo.As.PROPERTY, property = "@class")
public interface Prior extends Serializable {

    /**
     * @param q the posterior of one parameter block (a layer's weights and biases)
     * @return {@code KL(q || p)} summed over the block (or its unbiased single-sample estimate)
     */
    double klDivergence(MeanFieldSample q);

    /**
     * Adds {@code scale * dKL/dmu_i} to {@code gradMu[i]} and {@code scale * dKL/dsigma_i} to
     * {@code gradSigma[i]} for every parameter of the block. For a Monte-Carlo estimate, these are the
     * reparameterized derivatives at the drawn weights.
     *
     * @param q         the posterior of the block
     * @param scale     the factor applied to the gradient (KL weight and dataset-size scaling)
     * @param gradMu    accumulator for the gradient with respect to the means
     * @param gradSigma accumulator for the gradient with respect to the standard deviations
     */
    void addKlGradient(MeanFieldSample q, double scale, double[] gradMu, double[] gradSigma);

    /**
     * Bulk form of {@link #klDivergence(MeanFieldSample)} on vectors of the block's parameters. The sum must be
     * accumulated in double precision whatever the data type (see {@link PriorScratch}).
     *
     * @param mu      posterior means, a vector
     * @param sigma   posterior standard deviations, same length
     * @param eps     the current draw's noise, same length
     * @param scratch working memory the prior may overwrite (so that it need not allocate)
     * @return {@code KL(q || p)} summed over the block
     */
    default double klDivergence(INDArray mu, INDArray sigma, INDArray eps, PriorScratch scratch) {
        return klDivergence(new MeanFieldSample(mu.toDoubleVector(), sigma.toDoubleVector(), eps.toDoubleVector()));
    }

    /**
     * Bulk form of {@link #addKlGradient(MeanFieldSample, double, double[], double[])}: adds
     * {@code scale * dKL/dmu} to {@code gradMu} and {@code scale * dKL/dsigma} to {@code gradSigma}, in place;
     * {@code scratch} is working memory the prior may overwrite.
     */
    default void addKlGradient(INDArray mu, INDArray sigma, INDArray eps, double scale, INDArray gradMu,
                               INDArray gradSigma, PriorScratch scratch) {
        double[] gMu = gradMu.toDoubleVector();
        double[] gSigma = gradSigma.toDoubleVector();
        addKlGradient(new MeanFieldSample(mu.toDoubleVector(), sigma.toDoubleVector(), eps.toDoubleVector()), scale,
                gMu, gSigma);
        gradMu.assign(Nd4j.createFromArray(gMu).castTo(gradMu.dataType()).reshape(gradMu.shape()));
        gradSigma.assign(Nd4j.createFromArray(gSigma).castTo(gradSigma.dataType()).reshape(gradSigma.shape()));
    }
}
