package io.github.dl4jbayes.layers.meanfield;

import io.github.dl4jbayes.layers.StableMath;

import io.github.dl4jbayes.priors.MeanFieldSample;
import io.github.dl4jbayes.priors.Prior;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.SplittableRandom;

/**
 * {@link MeanFieldKernel} in plain Java loops over the parameter buffers, for small layers: no ND4J call per step
 * at all. One pass per draw computes sigma and {@code sigmoid(rho)} from one {@code exp} and one {@code log} per
 * parameter; one pass completes the gradient. The arithmetic is in double precision with the stable
 * {@link StableMath} functions, sigma floored at {@link StableMath#sigmaFloor} of the layer's data type (as in
 * {@link Nd4jKernel}).
 */
final class JavaLoopKernel implements MeanFieldKernel {
    private final int size;
    private final double sigmaFloor;
    private final double[] mu;
    private final double[] rho;
    private final double[] sigma;
    /** {@code sigmoid(rho)} of the last read, the derivative of softplus. */
    private final double[] sigmoid;
    private final double[] eps;
    private final double[] gradMu;
    private final double[] gradSigma;
    private final MeanFieldSample sample;
    private final INDArray sampled;
    /** sigma as an ND4J vector, for the local reparameterization; allocated on first use. */
    private INDArray sigmaArray;

    JavaLoopKernel(int size, DataType dataType) {
        this.size = size;
        this.sigmaFloor = StableMath.sigmaFloor(dataType);
        this.mu = new double[size];
        this.rho = new double[size];
        this.sigma = new double[size];
        this.sigmoid = new double[size];
        this.eps = new double[size];
        this.gradMu = new double[size];
        this.gradSigma = new double[size];
        this.sample = new MeanFieldSample(mu, sigma, eps);
        this.sampled = Nd4j.create(dataType, size);
    }

    @Override
    public INDArray sampled() {
        return sampled;
    }

    @Override
    public void draw(INDArray muBlock, INDArray rhoBlock, SplittableRandom noise, boolean includeMean) {
        read(muBlock, rhoBlock);
        DataBuffer out = sampled.data();
        for (int i = 0; i < size; i++) {
            double e = noise.nextGaussian();
            eps[i] = e;
            out.put(i, (includeMean ? mu[i] : 0.0) + sigma[i] * e);
        }
    }

    @Override
    public INDArray sigma(INDArray muBlock, INDArray rhoBlock) {
        read(muBlock, rhoBlock);
        if (sigmaArray == null) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                sigmaArray = Nd4j.create(sampled.dataType(), size);
            }
        }
        DataBuffer out = sigmaArray.data();
        for (int i = 0; i < size; i++) {
            out.put(i, sigma[i]);
        }
        return sigmaArray;
    }

    /** Reads mu and rho from the parameters and computes sigma = max(softplus(rho), floor) and sigmoid(rho). */
    private void read(INDArray muBlock, INDArray rhoBlock) {
        DataBuffer muData = muBlock.data();
        DataBuffer rhoData = rhoBlock.data();
        for (int i = 0; i < size; i++) {
            mu[i] = muData.getDouble(i);
            double r = rhoData.getDouble(i);
            rho[i] = r;
            double e = Math.exp(-Math.abs(r));                       // in (0, 1]
            double u = 1.0 + e;
            sigma[i] = Math.max(Math.max(r, 0.0) + StableMath.log1pOfRounded(e, u), sigmaFloor);
            sigmoid[i] = (r >= 0 ? 1.0 : e) / u;
        }
    }

    @Override
    public double klDivergence(Prior prior, INDArray muBlock, INDArray rhoBlock) {
        read(muBlock, rhoBlock);
        return prior.klDivergence(sample);
    }

    @Override
    public double klDivergenceAtDraw(Prior prior, INDArray muBlock) {
        return prior.klDivergence(sample);
    }

    @Override
    public void completeGradient(Prior prior, double klScale, INDArray muBlock, INDArray rhoBlock,
                                 INDArray gradMuBlock, INDArray gradRhoBlock, SigmaGradient form) {
        DataBuffer gMu = gradMuBlock.data();
        DataBuffer gRho = gradRhoBlock.data();
        for (int i = 0; i < size; i++) {
            double g = gMu.getDouble(i);
            gradMu[i] = g;
            switch (form) {
                case FROM_MEAN_GRADIENT:
                    gradSigma[i] = g * eps[i];
                    break;
                case FROM_PERTURBATION_GRADIENT:
                    gradSigma[i] = gRho.getDouble(i) * eps[i];
                    break;
                default:
                    gradSigma[i] = gRho.getDouble(i);
            }
        }
        if (klScale != 0.0) {
            prior.addKlGradient(sample, klScale, gradMu, gradSigma);
        }
        for (int i = 0; i < size; i++) {
            gMu.put(i, gradMu[i]);
            gRho.put(i, gradSigma[i] * sigmoid[i]);
        }
    }
}
