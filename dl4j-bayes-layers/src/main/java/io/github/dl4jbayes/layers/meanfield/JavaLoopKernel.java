package io.github.dl4jbayes.layers.meanfield;

import io.github.dl4jbayes.layers.Pruning;
import io.github.dl4jbayes.layers.StableMath;

import io.github.dl4jbayes.priors.KlTerm;
import io.github.dl4jbayes.priors.MeanFieldSample;
import io.github.dl4jbayes.priors.ParameterBlock;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.SplittableRandom;

/**
 * {@link MeanFieldKernel} in plain Java loops over the parameter buffers, for small layers (and for layers with pruned
 * parameters, of any size): no ND4J call per step at all. One pass per draw computes sigma and {@code sigmoid(rho)}
 * from one {@code exp} and one {@code log} per parameter; one pass completes the gradient. The arithmetic is in double
 * precision with the stable {@link StableMath} functions, sigma floored at {@link StableMath#sigmaFloor} of the layer's
 * data type (as in {@link Nd4jKernel}).
 *
 * <p>Pruned parameters ({@link Pruning}) are read as mean 0 and sigma 0 (their mean is written back to 0 if an
 * optimizer's momentum moved it), so they are drawn as exactly 0 and get no gradient; the KL term sees a sample of the
 * other parameters only.
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
    private final ParameterBlock block;
    private final INDArray sampled;
    /** sigma as an ND4J vector, for the local reparameterization; allocated on first use. */
    private INDArray sigmaArray;
    /** Number of pruned parameters at the last read. */
    private int pruned;
    /** The unpruned parameters, compacted, when some are pruned: positions, then mu, sigma, eps and gradients. */
    private int[] positions;
    private double[][] compact;

    JavaLoopKernel(ParameterBlock block, DataType dataType) {
        this.block = block;
        this.size = (int) block.size();
        this.sigmaFloor = StableMath.sigmaFloor(dataType);
        this.mu = new double[size];
        this.rho = new double[size];
        this.sigma = new double[size];
        this.sigmoid = new double[size];
        this.eps = new double[size];
        this.gradMu = new double[size];
        this.gradSigma = new double[size];
        this.sample = new MeanFieldSample(block, mu, sigma, eps, null, size);
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
    public void drawNoise(SplittableRandom noise) {
        for (int i = 0; i < size; i++) {
            eps[i] = noise.nextGaussian();
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

    /**
     * Reads mu and rho from the parameters and computes sigma = max(softplus(rho), floor) and sigmoid(rho); pruned
     * parameters read as mu = sigma = sigmoid = 0, with their mean pinned at 0 in the parameters.
     */
    private void read(INDArray muBlock, INDArray rhoBlock) {
        DataBuffer muData = muBlock.data();
        DataBuffer rhoData = rhoBlock.data();
        int prunedNow = 0;
        for (int i = 0; i < size; i++) {
            double r = rhoData.getDouble(i);
            rho[i] = r;
            if (Pruning.isPruned(r)) {
                if (muData.getDouble(i) != 0.0) {
                    muData.put(i, 0.0);
                }
                mu[i] = 0.0;
                sigma[i] = 0.0;
                sigmoid[i] = 0.0;
                prunedNow++;
                continue;
            }
            mu[i] = muData.getDouble(i);
            double e = Math.exp(-Math.abs(r));                       // in (0, 1]
            double u = 1.0 + e;
            sigma[i] = Math.max(Math.max(r, 0.0) + StableMath.log1pOfRounded(e, u), sigmaFloor);
            sigmoid[i] = (r >= 0 ? 1.0 : e) / u;
        }
        pruned = prunedNow;
    }

    /** @return the sample the KL term sees: the whole block, or its unpruned parameters compacted */
    private MeanFieldSample klSample() {
        if (pruned == 0) {
            return sample;
        }
        int active = size - pruned;
        if (compact == null) {
            positions = new int[size];
            compact = new double[5][size];
        }
        int k = 0;
        for (int i = 0; i < size; i++) {
            if (!Pruning.isPruned(rho[i])) {
                positions[k] = i;
                compact[0][k] = mu[i];
                compact[1][k] = sigma[i];
                compact[2][k] = eps[i];
                k++;
            }
        }
        return new MeanFieldSample(block, compact[0], compact[1], compact[2], positions, active);
    }

    @Override
    public double klDivergence(KlTerm term, INDArray muBlock, INDArray rhoBlock) {
        read(muBlock, rhoBlock);
        return term.klDivergence(klSample());
    }

    @Override
    public double klDivergenceAtDraw(KlTerm term, INDArray muBlock) {
        return term.klDivergence(klSample());
    }

    @Override
    public void completeGradient(KlTerm term, double klScale, INDArray muBlock, INDArray rhoBlock,
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
            addKlGradient(term, klScale);
        }
        for (int i = 0; i < size; i++) {
            boolean live = pruned == 0 || !Pruning.isPruned(rho[i]);
            gMu.put(i, live ? gradMu[i] : 0.0);
            gRho.put(i, live ? gradSigma[i] * sigmoid[i] : 0.0);
        }
    }

    private void addKlGradient(KlTerm term, double klScale) {
        if (pruned == 0) {
            term.addKlGradient(sample, klScale, gradMu, gradSigma);
            return;
        }
        MeanFieldSample q = klSample();
        double[] gMu = compact[3];
        double[] gSigma = compact[4];
        java.util.Arrays.fill(gMu, 0, q.size(), 0.0);
        java.util.Arrays.fill(gSigma, 0, q.size(), 0.0);
        term.addKlGradient(q, klScale, gMu, gSigma);
        for (int k = 0; k < q.size(); k++) {
            gradMu[positions[k]] += gMu[k];
            gradSigma[positions[k]] += gSigma[k];
        }
    }
}
