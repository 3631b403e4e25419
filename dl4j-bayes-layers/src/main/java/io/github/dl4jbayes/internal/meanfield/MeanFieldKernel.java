package io.github.dl4jbayes.internal.meanfield;

import io.github.dl4jbayes.priors.KlTerm;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.random.RandomGenerator;

/**
 * The element-wise arithmetic of a layer's mean-field posterior over its blocks of means and rhos (vectors of the
 * same length): the draw, the KL, and the gradient of mu and rho. Three implementations of the same math, chosen in
 * {@link MeanFieldPosterior} by backend, size and type: {@link JavaLoopKernel}, {@link VectorKernel} and
 * {@link Nd4jKernel}.
 */
interface MeanFieldKernel {

    /** @return the buffer (a vector, outside any workspace) holding the drawn weights and biases (or perturbations) */
    INDArray sampled();

    /**
     * Draws {@code eps ~ N(0, I)} from {@code noise} and writes {@code mu + sigma * eps} (or, without the mean, the
     * perturbation {@code sigma * eps}) into {@link #sampled()}, with
     * {@code sigma = max(softplus(rho), StableMath.sigmaFloor(dataType))}.
     */
    void draw(INDArray mu, INDArray rho, RandomGenerator noise, boolean includeMean);

    /** Draws new noise {@code eps ~ N(0, I)} alone (for a Monte-Carlo KL term when the estimator draws no weights). */
    void drawNoise(RandomGenerator noise);

    /** @return sigma at the given parameters, in a buffer (a vector outside any workspace) valid until the next call */
    INDArray sigma(INDArray mu, INDArray rho);

    /** @return the KL term at the given parameters (a Monte-Carlo term at the kernel's current noise) */
    double klDivergence(KlTerm term, INDArray mu, INDArray rho);

    /** @return the KL term at the parameters and noise of the last draw (or sigma), from the kernel's buffers */
    double klDivergenceAtDraw(KlTerm term, INDArray mu);

    /**
     * Completes the gradient of one step. On entry {@code gradMu} holds {@code dL/dmu} of the data term, and the
     * gradient with respect to sigma is given as {@code form} says; on exit {@code gradMu} holds
     * {@code dL/dmu + klScale dKL/dmu} and {@code gradRho} holds {@code (dL/dsigma + klScale dKL/dsigma) sigmoid(rho)}.
     */
    void completeGradient(KlTerm term, double klScale, INDArray mu, INDArray rho, INDArray gradMu, INDArray gradRho,
                          SigmaGradient form);

    /**
     * @return whether the last read of rho (a draw, sigma or the KL at given parameters) met pruned parameters
     *         ({@link PrunedParameters}) that this kernel does not skip; false for kernels that skip
     *         them or do not look
     */
    default boolean readPruned() {
        return false;
    }
}
