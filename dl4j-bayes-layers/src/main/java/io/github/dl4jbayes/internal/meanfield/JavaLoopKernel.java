package io.github.dl4jbayes.internal.meanfield;

import io.github.dl4jbayes.internal.StableMath;

import io.github.dl4jbayes.priors.KlTerm;
import io.github.dl4jbayes.priors.MeanFieldSample;
import io.github.dl4jbayes.priors.ParameterBlock;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.random.RandomGenerator;

/**
 * {@link MeanFieldKernel} in plain Java loops over the parameters, copied in and out of ND4J's buffers in bulk
 * ({@link HostArrays}), for every layer on the CPU backend (of FLOAT and DOUBLE type; small layers of other types too):
 * no ND4J call per step for small layers. One pass per draw computes sigma and {@code sigmoid(rho)}; one pass
 * completes the gradient. The arithmetic is in double precision with the stable {@link StableMath} functions, sigma
 * floored at {@link StableMath#sigmaFloor} of the layer's data type (as in {@link Nd4jKernel}).
 *
 * <p>Large blocks (from the kernel policy's native threshold parameters) take the two transcendental functions
 * of the softplus, {@code exp(-|rho|)} and {@code log(1 + exp(-|rho|))}, from ND4J's vectorized operations in the
 * layer's data type ({@link NativeSoftplus}: several times faster than {@code Math.exp} and {@code Math.log} per
 * element) and draw the noise on a second thread meanwhile ({@link HostThreads}), from the same generator in the same
 * order, so that the draws are the same function of the seed whatever the block size.
 *
 * <p>Pruned parameters ({@link PrunedParameters}) are read as mean 0 and sigma 0 (their mean is written back to 0 if an
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
    /** The drawn weights before they are copied into {@link #sampled}. */
    private final double[] drawnValues;
    /** ND4J's part of the softplus for large blocks, or null (small blocks: {@code Math.exp} and {@code Math.log}). */
    private final NativeSoftplus nativeSoftplus;
    /** {@code exp(-|rho|)} and {@code log(1 + exp(-|rho|))} (rounded), from {@link #nativeSoftplus} or Java. */
    private final double[] expNegAbs;
    private final double[] logOnePlus;
    /** sigma as an ND4J vector, for the local reparameterization; allocated on first use. */
    private INDArray sigmaArray;
    /** Number of pruned parameters at the last read. */
    private int pruned;
    /** The unpruned parameters, compacted, when some are pruned: positions, then mu, sigma, eps and gradients. */
    private int[] positions;
    private double[][] compact;

    /**
     * @param nativeSoftplus whether ND4J computes the softplus's {@code exp} and {@code log} (large blocks) and the
     *                       noise is drawn on a second thread
     */
    JavaLoopKernel(ParameterBlock block, DataType dataType, boolean nativeSoftplus) {
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
        this.drawnValues = new double[size];
        this.nativeSoftplus = nativeSoftplus ? new NativeSoftplus(dataType, size) : null;
        this.expNegAbs = new double[size];
        this.logOnePlus = new double[size];
    }

    @Override
    public INDArray sampled() {
        return sampled;
    }

    @Override
    public void draw(INDArray muBlock, INDArray rhoBlock, RandomGenerator noise, boolean includeMean) {
        if (nativeSoftplus != null) {
            HostThreads.alongside(() -> fillNoise(noise), () -> read(muBlock, rhoBlock));
        } else {
            fillNoise(noise);
            read(muBlock, rhoBlock);
        }
        for (int i = 0; i < size; i++) {
            drawnValues[i] = (includeMean ? mu[i] : 0.0) + sigma[i] * eps[i];
        }
        HostArrays.write(drawnValues, sampled, size);
    }

    @Override
    public void drawNoise(RandomGenerator noise) {
        fillNoise(noise);
    }

    private void fillNoise(RandomGenerator noise) {
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
        HostArrays.write(sigma, sigmaArray, size);
        return sigmaArray;
    }

    /**
     * Reads mu and rho from the parameters and computes sigma = max(softplus(rho), floor) and sigmoid(rho); pruned
     * parameters read as mu = sigma = sigmoid = 0, with their mean pinned at 0 in the parameters.
     */
    private void read(INDArray muBlock, INDArray rhoBlock) {
        HostArrays.read(muBlock, mu, size);
        HostArrays.read(rhoBlock, rho, size);
        if (nativeSoftplus != null) {
            nativeSoftplus.compute(rho, expNegAbs, logOnePlus);
        } else {
            javaTranscendentals(rho, expNegAbs, logOnePlus, size);
        }
        boolean single = nativeSoftplus != null && sampled.dataType() != DataType.DOUBLE;
        int prunedNow = softplus(rho, expNegAbs, logOnePlus, single, sigmaFloor, sigma, sigmoid, size);
        boolean muPinned = false;
        if (prunedNow > 0) {
            for (int i = 0; i < size; i++) {
                if (PrunedParameters.isPruned(rho[i]) && mu[i] != 0.0) {
                    mu[i] = 0.0;
                    muPinned = true;
                }
            }
        }
        if (muPinned) {
            HostArrays.write(mu, muBlock, size);
        }
        pruned = prunedNow;
    }

    /** The small blocks' {@code exp(-|rho|)} and {@code log(1 + exp(-|rho|))}, from Java's functions in double. */
    private static void javaTranscendentals(double[] rho, double[] expNegAbs, double[] logOnePlus, int n) {
        for (int i = 0; i < n; i++) {
            double e = Math.exp(-Math.abs(rho[i]));                  // in (0, 1]
            expNegAbs[i] = e;
            logOnePlus[i] = Math.log(1.0 + e);
        }
    }

    /**
     * sigma = max(softplus(rho), floor) and sigmoid(rho) from {@code e = exp(-|rho|)} and
     * {@code log(fl(1 + e))}, computed by ND4J in the layer's type ({@code single}: FLOAT, its {@code 1 + e} rounded
     * in single precision) or by Java in double; pruned parameters get 0 for both.
     *
     * @return the number of pruned parameters
     */
    private static int softplus(double[] rho, double[] expNegAbs, double[] logOnePlus, boolean single,
                                double floor, double[] sigma, double[] sigmoid, int n) {
        int pruned = 0;
        for (int i = 0; i < n; i++) {
            double r = rho[i];
            if (PrunedParameters.isPruned(r)) {
                sigma[i] = 0.0;
                sigmoid[i] = 0.0;
                pruned++;
                continue;
            }
            double e = expNegAbs[i];
            double u = 1.0 + e;
            double rounded = single ? (double) (1.0f + (float) e) : u;     // 1 + e as its log saw it
            // log1p(e) by Kahan's method (StableMath.log1pOfRounded), written here without a branch around the
            // division: with the branch, or through a branch-free helper method, this loop took twice as long
            // (2.6-2.8 ms against 1.2 ms for 313,600 weights); e where 1 + e rounded to 1
            double d = rounded - 1.0;
            double log1p = logOnePlus[i] * e / d;
            log1p = d == 0.0 ? e : log1p;
            double s = (r > 0.0 ? r : 0.0) + log1p;
            sigma[i] = s < floor ? floor : s;                              // NaN stays NaN
            sigmoid[i] = (r >= 0 ? 1.0 : e) / u;
        }
        return pruned;
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
            if (!PrunedParameters.isPruned(rho[i])) {
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
        HostArrays.read(gradMuBlock, gradMu, size);
        if (form != SigmaGradient.FROM_MEAN_GRADIENT) {
            HostArrays.read(gradRhoBlock, gradSigma, size);
        }
        double[] dataGradient = form == SigmaGradient.FROM_MEAN_GRADIENT ? gradMu : gradSigma;
        double[] factor = form == SigmaGradient.FROM_VARIANCE_GRADIENT ? sigma : eps;
        for (int i = 0; i < size; i++) {
            gradSigma[i] = dataGradient[i] * factor[i];
        }
        if (klScale != 0.0) {
            addKlGradient(term, klScale);
        }
        for (int i = 0; i < size; i++) {
            boolean live = pruned == 0 || !PrunedParameters.isPruned(rho[i]);
            if (!live) {
                gradMu[i] = 0.0;
            }
            gradSigma[i] = live ? gradSigma[i] * sigmoid[i] : 0.0;
        }
        HostArrays.write(gradMu, gradMuBlock, size);
        HostArrays.write(gradSigma, gradRhoBlock, size);
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
