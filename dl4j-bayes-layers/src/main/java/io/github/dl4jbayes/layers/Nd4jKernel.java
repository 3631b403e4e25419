package io.github.dl4jbayes.layers;

import io.github.dl4jbayes.priors.Prior;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Log1p;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * {@link MeanFieldKernel} with ND4J operations over whole blocks, for large layers: vectorized and multi-threaded,
 * about a dozen native calls per layer and step, into buffers allocated once. The noise comes from
 * {@link GaussianNoise}.
 * Softplus is computed stably as {@code max(rho, 0) + log1p(exp(-|rho|))} (ND4J's own softplus overflows for large
 * {@code rho} and rounds {@code sigma} to zero for very negative ones).
 */
final class Nd4jKernel implements MeanFieldKernel {
    private static final double FAST_SOFTPLUS_LIMIT = 30.0;

    private final INDArray eps;
    private final INDArray sigma;
    private final INDArray scratch;
    private final INDArray gradSigma;
    private final INDArray sampled;
    private final Object noiseScratch;

    Nd4jKernel(int size, DataType dataType) {
        this.noiseScratch = GaussianNoise.scratchFor(dataType, size);
        this.eps = Nd4j.create(dataType, size);
        this.sigma = Nd4j.create(dataType, size);
        this.scratch = Nd4j.create(dataType, size);
        this.gradSigma = Nd4j.create(dataType, size);
        this.sampled = Nd4j.create(dataType, size);
    }

    @Override
    public INDArray sampled() {
        return sampled;
    }

    @Override
    public void draw(INDArray mu, INDArray rho) {
        GaussianNoise.fill(eps, noiseScratch);
        softplus(rho);
        sigma.mul(eps, sampled);
        sampled.addi(mu);
    }

    /**
     * sigma = softplus(rho), using the scratch buffer: {@code log1p(exp(rho))} in two operations while
     * {@code rho <= 30} everywhere (the usual case: exp cannot overflow and the result is exact to the data type),
     * else {@code max(rho, 0) + log1p(exp(-|rho|))}.
     */
    private void softplus(INDArray rho) {
        if (rho.maxNumber().doubleValue() <= FAST_SOFTPLUS_LIMIT) {
            Nd4j.getExecutioner().exec(new Exp(rho, scratch));
            Nd4j.getExecutioner().exec(new Log1p(scratch, sigma));
            return;
        }
        scratch.assign(rho);
        Transforms.abs(scratch, false).negi();
        Transforms.log1p(Transforms.exp(scratch, false), false);
        sigma.assign(rho);
        Transforms.relu(sigma, false).addi(scratch);
    }

    @Override
    public double klDivergence(Prior prior, INDArray mu, INDArray rho) {
        softplus(rho);
        return prior.klDivergence(mu, sigma, eps, scratch);
    }

    @Override
    public double klDivergenceAtDraw(Prior prior, INDArray mu) {
        return prior.klDivergence(mu, sigma, eps, scratch);
    }

    @Override
    public void completeGradient(Prior prior, double klScale, INDArray mu, INDArray rho, INDArray gradMu,
                                 INDArray gradRho) {
        gradMu.mul(eps, gradSigma);
        if (klScale != 0.0) {
            prior.addKlGradient(mu, sigma, eps, klScale, gradMu, gradSigma, scratch);
        }
        Nd4j.getExecutioner().exec(new Sigmoid(rho, scratch));
        gradSigma.mul(scratch, gradRho);
    }
}
