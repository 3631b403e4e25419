package io.github.dl4jbayes.internal.meanfield;

import io.github.dl4jbayes.internal.StableMath;

import io.github.dl4jbayes.priors.PriorScratch;
import io.github.dl4jbayes.priors.KlTerm;
import io.github.dl4jbayes.priors.ParameterBlock;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMax;
import org.nd4j.linalg.api.ops.impl.transforms.same.Abs;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Log;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

import java.util.random.RandomGenerator;

/**
 * {@link MeanFieldKernel} with ND4J operations over whole blocks, for large layers: vectorized and multi-threaded,
 * a couple of dozen native calls per layer and step, into buffers allocated once. The noise comes from
 * {@link Noise} (Java's sampler on the CPU backend, ND4J's generator on a GPU). On the CPU backend a layer with
 * pruned parameters uses {@link JavaLoopKernel} instead, whatever its size (on a GPU too); on a GPU backend every
 * other layer uses this kernel (see {@link MeanFieldPosterior}).
 *
 * <p>{@code sigma = max(softplus(rho), StableMath.sigmaFloor(type))}, with softplus computed stably in the layer's
 * data type as {@code max(rho, 0) + log1p(exp(-|rho|))}: {@code exp} never overflows (its argument is at most 0),
 * and since ND4J's {@code log1p} is {@code log(1 + x)}, which loses every digit once {@code x} falls below the
 * type's epsilon (softplus(-20) would be 0 in FLOAT), {@code log1p(x)} is computed by Kahan's method,
 * {@code x log(u) / (u - 1)} with {@code u = 1 + x} rounded (and {@code x} itself where {@code u} rounds to 1),
 * accurate to a few units in the last place. Sigma is floored at the type's smallest normal number, which takes over
 * below rho of about -9.7 in HALF and -87.3 in FLOAT (where softplus would go subnormal and then to zero), so that
 * the KL term stays finite.
 */
final class Nd4jKernel implements MeanFieldKernel {
    private final double sigmaFloor;
    private final INDArray eps;
    private final INDArray sigma;
    private final INDArray gradSigma;
    private final INDArray sampled;
    private final INDArray softplusScratch;
    private final PriorScratch priorScratch;
    private final INDArray scratch;
    private final Noise noise;

    Nd4jKernel(ParameterBlock block, DataType dataType, boolean hostMemory) {
        int size = (int) block.size();
        this.sigmaFloor = StableMath.sigmaFloor(dataType);
        this.eps = Nd4j.create(dataType, size);
        this.sigma = Nd4j.create(dataType, size);
        this.gradSigma = Nd4j.create(dataType, size);
        this.sampled = Nd4j.create(dataType, size);
        this.softplusScratch = Nd4j.create(dataType, size);
        this.noise = new Noise(hostMemory);
        this.priorScratch = new PriorScratch(dataType, block, hostMemory);
        this.scratch = priorScratch.buffer();
    }

    @Override
    public INDArray sampled() {
        return sampled;
    }

    @Override
    public void draw(INDArray mu, INDArray rho, RandomGenerator noise, boolean includeMean) {
        this.noise.gaussian(eps, noise);
        computeSigma(rho);
        sigma.mul(eps, sampled);
        if (includeMean) {
            sampled.addi(mu);
        }
    }

    @Override
    public void drawNoise(RandomGenerator noise) {
        this.noise.gaussian(eps, noise);
    }

    @Override
    public INDArray sigma(INDArray mu, INDArray rho) {
        computeSigma(rho);
        return sigma;
    }

    /** Writes {@code max(softplus(rho), floor)} into {@code sigma}, using the scratch buffers. */
    private void computeSigma(INDArray rho) {
        INDArray x = scratch;
        INDArray u = softplusScratch;
        Nd4j.getExecutioner().exec(new Abs(rho, x));
        x.negi();
        Nd4j.getExecutioner().exec(new Exp(x, x));                 // x = exp(-|rho|), in (0, 1]
        x.add(1.0, u);                                             // u = 1 + x, rounded
        Nd4j.getExecutioner().exec(new Log(u, sigma));
        u.subi(1.0);                                               // u - 1, exact
        sigma.divi(u).muli(x);                                     // log1p(x) = x log(u) / (u - 1); NaN where u = 1
        BooleanIndexing.replaceWhere(sigma, x, Conditions.isNan()); // ... where log1p(x) = x to the type's precision
        Nd4j.getExecutioner().exec(new ScalarMax(rho, null, u, 0.0));
        sigma.addi(u);                                             // + max(rho, 0)
        Nd4j.getExecutioner().exec(new ScalarMax(sigma, null, sigma, sigmaFloor));
    }

    @Override
    public double klDivergence(KlTerm term, INDArray mu, INDArray rho) {
        computeSigma(rho);
        return term.klDivergence(mu, sigma, eps, priorScratch);
    }

    @Override
    public double klDivergenceAtDraw(KlTerm term, INDArray mu) {
        return term.klDivergence(mu, sigma, eps, priorScratch);
    }

    @Override
    public void completeGradient(KlTerm term, double klScale, INDArray mu, INDArray rho, INDArray gradMu,
                                 INDArray gradRho, SigmaGradient form) {
        switch (form) {
            case FROM_MEAN_GRADIENT:
                gradMu.mul(eps, gradSigma);
                break;
            case FROM_PERTURBATION_GRADIENT:
                gradRho.mul(eps, gradSigma);
                break;
            default:                                                // FROM_VARIANCE_GRADIENT
                gradRho.mul(sigma, gradSigma);
        }
        if (klScale != 0.0) {
            term.addKlGradient(mu, sigma, eps, klScale, gradMu, gradSigma, priorScratch);
        }
        Nd4j.getExecutioner().exec(new Sigmoid(rho, scratch));
        gradSigma.mul(scratch, gradRho);
    }
}
