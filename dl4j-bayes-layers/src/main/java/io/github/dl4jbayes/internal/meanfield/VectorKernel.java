package io.github.dl4jbayes.internal.meanfield;

import io.github.dl4jbayes.internal.StableMath;
import io.github.dl4jbayes.priors.GaussianPrior;
import io.github.dl4jbayes.priors.KlTerm;
import io.github.dl4jbayes.priors.MeanFieldSample;
import io.github.dl4jbayes.priors.ParameterBlock;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.random.RandomGenerator;

/**
 * {@link MeanFieldKernel} for large FLOAT layers on the CPU backend, in single precision with Java's Vector API
 * (SIMD lanes, and vectorized {@code exp}, {@code log1p} and {@code log}): one pass computes
 * sigma = max(softplus(rho), floor) and {@code sigmoid(rho)} while {@link HostThreads} draws the noise, one pass
 * writes the draw; one pass completes the gradient;
 * one pass sums the KL of an isotropic Gaussian prior. The parameters are copied in and out of ND4J's buffers in bulk
 * ({@link HostArrays}). The noise is {@link VectorNoise}'s, seeded by one {@code nextLong()} of the layer's generator
 * per draw: a function of the layer's seed, as on the other kernels, but not the same numbers as
 * {@link JavaLoopKernel}'s.
 *
 * <p>Used only where {@link VectorSupport#enabled(Boolean)} (the JVM resolves {@code jdk.incubator.vector}), for blocks
 * without pruned parameters (those take {@link JavaLoopKernel}, which skips them; pruned parameters written in later
 * are seen in the softplus pass, {@link #readPruned()}, and the layer then changes kernel). Priors other than an
 * isotropic {@link GaussianPrior} with its analytic KL (per-parameter Gaussian, scale mixture, learned scale, Laplace,
 * any Monte-Carlo KL) get the same {@link MeanFieldSample} as on the other kernels, in double precision, copied from
 * the kernel's single-precision arrays: correct, but without the speed of the Gaussian path.
 */
final class VectorKernel implements MeanFieldKernel {
    private static final VectorSpecies<Float> F = VectorMath.F;
    /** Vectors summed in single precision before their sum joins the double-precision total. */
    private static final int CHUNK = 64;
    private static final FloatVector ONE = FloatVector.broadcast(F, 1f);

    private final int size;
    /** The arrays' length: {@link #size} rounded up to whole vectors (the padding holds mu = rho = 0). */
    private final int padded;
    private final float floor;
    private final float[] mu;
    private final float[] rho;
    private final float[] sigma;
    /** {@code sigmoid(rho)} of the last read, the derivative of softplus. */
    private final float[] sigmoid;
    private final float[] eps;
    private final float[] drawn;
    private final float[] gradMu;
    private final float[] gradSigma;
    private final ParameterBlock block;
    private final INDArray sampled;
    private final VectorNoise noise = new VectorNoise();
    /** The running minimum of rho and the KL's running sums, a vector's lanes each (see {@link #gaussianKl}). */
    private final float[] lowest;
    private final float[] squares;
    private final float[] notFinite;
    private final float[] product;
    private final int[] exponents;
    /** The smallest rho of the last read (NaN if one was NaN), to notice pruned parameters. */
    private float minRho;
    /** sigma as an ND4J vector, for the local reparameterization; allocated on first use. */
    private INDArray sigmaArray;
    /** Double-precision copies for priors without the SIMD path; allocated on first use. */
    private double[] muD;
    private double[] sigmaD;
    private double[] epsD;
    private double[] gradMuD;
    private double[] gradSigmaD;

    VectorKernel(ParameterBlock block, DataType dataType) {
        if (dataType != DataType.FLOAT) {
            throw new IllegalArgumentException("the SIMD kernel is for FLOAT layers, got " + dataType);
        }
        this.block = block;
        this.size = (int) block.size();
        this.padded = F.loopBound(size + F.length() - 1);
        this.floor = (float) StableMath.sigmaFloor(dataType);
        this.mu = new float[padded];
        this.rho = new float[padded];
        this.sigma = new float[padded];
        this.sigmoid = new float[padded];
        this.eps = new float[padded];
        this.drawn = new float[padded];
        this.gradMu = new float[padded];
        this.gradSigma = new float[padded];
        this.lowest = new float[F.length()];
        this.squares = new float[F.length()];
        this.notFinite = new float[F.length()];
        this.product = new float[F.length()];
        this.exponents = new int[F.length()];
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            this.sampled = Nd4j.create(dataType, size);
        }
    }

    @Override
    public INDArray sampled() {
        return sampled;
    }

    @Override
    public void draw(INDArray muBlock, INDArray rhoBlock, RandomGenerator generator, boolean includeMean) {
        // the noise on the host thread while this one reads the parameters and computes sigma: the same seed, taken
        // here, gives the same noise whichever thread fills it
        long seed = generator.nextLong();
        HostThreads.alongside(() -> noise.fill(eps, padded, seed), () -> {
            read(muBlock, mu);
            read(rhoBlock, rho);
            softplus();
        });
        // two loops rather than a choice between two vectors in one (rule 2 of design.md: a vector that merges two
        // branches may be allocated as an object)
        if (includeMean) {
            for (int i = 0; i < padded; i += F.length()) {
                FloatVector.fromArray(F, sigma, i).fma(FloatVector.fromArray(F, eps, i), FloatVector.fromArray(F, mu, i))
                        .intoArray(drawn, i);
            }
        } else {
            for (int i = 0; i < padded; i += F.length()) {
                FloatVector.fromArray(F, sigma, i).mul(FloatVector.fromArray(F, eps, i)).intoArray(drawn, i);
            }
        }
        HostArrays.writeFloats(drawn, sampled, size);
    }

    @Override
    public void drawNoise(RandomGenerator generator) {
        noise.fill(eps, padded, generator.nextLong());
    }

    @Override
    public INDArray sigma(INDArray muBlock, INDArray rhoBlock) {
        read(muBlock, mu);
        read(rhoBlock, rho);
        softplus();
        if (sigmaArray == null) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                sigmaArray = Nd4j.create(DataType.FLOAT, size);
            }
        }
        HostArrays.writeFloats(sigma, sigmaArray, size);
        return sigmaArray;
    }

    /**
     * sigma = max(softplus(rho), floor) (NaN stays NaN) and sigmoid(rho) from {@code e = exp(-|rho|)}:
     * {@code softplus = max(rho, 0) + log1p(e)}, {@code sigmoid = (rho >= 0 ? 1 : e) / (1 + e)}.
     */
    private void softplus() {
        java.util.Arrays.fill(lowest, Float.POSITIVE_INFINITY);
        for (int i = 0; i < padded; i += F.length()) {
            FloatVector r = FloatVector.fromArray(F, rho, i);
            FloatVector.fromArray(F, lowest, 0).min(r).intoArray(lowest, 0);
            FloatVector e = VectorMath.expNonPositive(r.abs().neg());
            FloatVector s = r.max(0f).add(VectorMath.log1pUnit(e)).max(floor);
            s.intoArray(sigma, i);
            VectorMask<Float> nonNegative = r.compare(VectorOperators.GE, 0f);
            e.blend(1f, nonNegative).div(e.add(1f)).intoArray(sigmoid, i);
        }
        minRho = Float.POSITIVE_INFINITY;
        for (float x : lowest) {
            minRho = Math.min(minRho, x);                       // NaN stays NaN
        }
    }

    @Override
    public boolean readPruned() {
        return PrunedParameters.isPruned(minRho);
    }

    @Override
    public double klDivergence(KlTerm term, INDArray muBlock, INDArray rhoBlock) {
        read(muBlock, mu);
        read(rhoBlock, rho);
        softplus();
        return klDivergenceAtDraw(term, muBlock);
    }

    @Override
    public double klDivergenceAtDraw(KlTerm term, INDArray muBlock) {
        GaussianPrior gaussian = isotropicGaussian(term);
        return gaussian != null ? gaussianKl(gaussian) : term.klDivergence(doubleSample());
    }

    /** @return the prior when the KL is an isotropic Gaussian prior's analytic one (the SIMD path), else null */
    private static GaussianPrior isotropicGaussian(KlTerm term) {
        if (term.isMonteCarlo() || !(term.prior() instanceof GaussianPrior)) {
            return null;
        }
        GaussianPrior prior = (GaussianPrior) term.prior();
        return prior.isPerParameter() ? null : prior;
    }

    /**
     * {@code KL = n (log s - 1/2) - sum log sigma_i + sum (sigma_i^2 + (mu_i - m)^2) / (2 s^2)}. The squares are summed
     * in single precision over {@link #CHUNK} vectors at a time, then in double. The logarithms are summed as a
     * product per lane, kept in [1, 2) by moving its binary exponent into an integer sum after every factor (sigma
     * lies between the floor, 1.2e-38, and far below 1e38, so no product leaves the normal numbers): one
     * multiplication and a few bit operations per parameter instead of a logarithm. Its rounding error, about
     * {@code 6e-8 sqrt(n / lanes)} relative in each lane's product, is that much absolute in the KL.
     */
    private double gaussianKl(GaussianPrior prior) {
        // the running sums live in small arrays, not in vector variables: JDK 17 allocates a vector carried from one
        // iteration to the next as an object (with VectorMath.log per element and vector sums, 0.46 ms and 5.6 MB a
        // call for 314,000 parameters; as written 0.18 ms and nothing allocated: a throw-away harness, this machine)
        float m = (float) prior.getMean();
        java.util.Arrays.fill(product, 1f);
        java.util.Arrays.fill(exponents, 0);
        java.util.Arrays.fill(notFinite, 0f);
        double sumSquares = 0.0;
        int full = F.loopBound(size);
        for (int i = 0; i < padded; ) {
            java.util.Arrays.fill(squares, 0f);
            int end = Math.min(padded, i + CHUNK * F.length());
            for (; i < end; i += F.length()) {
                FloatVector s = FloatVector.fromArray(F, sigma, i);
                FloatVector diff = FloatVector.fromArray(F, mu, i).sub(m);
                FloatVector square = s.fma(s, diff.mul(diff));
                if (i >= full) {                                // the last, partly padded vector
                    VectorMask<Float> padding = F.indexInRange(i, size).not();
                    s = s.blend(1f, padding);
                    square = square.blend(0f, padding);
                }
                FloatVector.fromArray(F, squares, 0).add(square).intoArray(squares, 0);
                FloatVector.fromArray(F, notFinite, 0).add(s.mul(0f)).intoArray(notFinite, 0);
                IntVector bits = FloatVector.fromArray(F, product, 0).mul(s).reinterpretAsInts();
                IntVector.fromArray(VectorMath.I, exponents, 0).add(bits.lanewise(VectorOperators.LSHR, 23))
                        .intoArray(exponents, 0);
                bits.and(0x807FFFFF).or(0x3F800000).reinterpretAsFloats().intoArray(product, 0);
            }
            sumSquares += inOrder(squares);
        }
        double sumLog = inOrder(notFinite);
        for (int lane = 0; lane < product.length; lane++) {
            sumLog += (exponents[lane] - 127.0 * (padded / F.length())) * Math.log(2) + Math.log(product[lane]);
        }
        double std = prior.getStd();
        return size * (Math.log(std) - 0.5) - sumLog + sumSquares / (2.0 * std * std);
    }

    /** @return the sum of the lanes, added in lane order (a lane reduction's order is not specified) */
    private static double inOrder(float[] lanes) {
        double sum = 0.0;
        for (float x : lanes) {
            sum += x;
        }
        return sum;
    }

    @Override
    public void completeGradient(KlTerm term, double klScale, INDArray muBlock, INDArray rhoBlock,
                                 INDArray gradMuBlock, INDArray gradRhoBlock, SigmaGradient form) {
        read(gradMuBlock, gradMu);
        if (form != SigmaGradient.FROM_MEAN_GRADIENT) {
            read(gradRhoBlock, gradSigma);
        }
        GaussianPrior gaussian = klScale == 0.0 ? null : isotropicGaussian(term);
        // the SIMD pass: dL/dsigma from the form, the isotropic Gaussian's KL gradient, the chain rule to rho
        float c = gaussian == null ? 0f : (float) klScale;
        float m = gaussian == null ? 0f : (float) gaussian.getMean();
        float invVariance = gaussian == null ? 0f : (float) (1.0 / (gaussian.getStd() * gaussian.getStd()));
        boolean fromMean = form == SigmaGradient.FROM_MEAN_GRADIENT;
        float[] factor = form == SigmaGradient.FROM_VARIANCE_GRADIENT ? sigma : eps;
        boolean toRho = gaussian != null || klScale == 0.0;
        for (int i = 0; i < padded; i += F.length()) {
            FloatVector g = FloatVector.fromArray(F, gradMu, i);
            FloatVector gs = fromMean ? g : FloatVector.fromArray(F, gradSigma, i);
            gs = gs.mul(FloatVector.fromArray(F, factor, i));
            if (gaussian != null) {
                FloatVector s = FloatVector.fromArray(F, sigma, i);
                g = FloatVector.fromArray(F, mu, i).sub(m).mul(c * invVariance).add(g);
                gs = gs.add(s.mul(invVariance).sub(ONE.div(s)).mul(c));
                g.intoArray(gradMu, i);
            }
            (toRho ? gs.mul(FloatVector.fromArray(F, sigmoid, i)) : gs).intoArray(gradSigma, i);
        }
        if (!toRho) {
            addKlGradient(term, klScale);
        }
        HostArrays.writeFloats(gradMu, gradMuBlock, size);
        HostArrays.writeFloats(gradSigma, gradRhoBlock, size);
    }

    /**
     * The KL gradient of a prior without the SIMD path, in double precision on a copy of the posterior, added to
     * {@link #gradMu} and to {@link #gradSigma} (which holds {@code dL/dsigma}), then the chain rule to rho.
     */
    private void addKlGradient(KlTerm term, double klScale) {
        MeanFieldSample q = doubleSample();
        java.util.Arrays.fill(gradMuD, 0.0);
        java.util.Arrays.fill(gradSigmaD, 0.0);
        term.addKlGradient(q, klScale, gradMuD, gradSigmaD);
        for (int i = 0; i < size; i++) {
            gradMu[i] = (float) (gradMu[i] + gradMuD[i]);
            gradSigma[i] = (float) ((gradSigma[i] + gradSigmaD[i]) * sigmoid[i]);
        }
    }

    /** Reads a block into {@code dst}, its padding set to 0 (what a pass leaves there never reaches the layer). */
    private void read(INDArray vector, float[] dst) {
        HostArrays.readFloats(vector, dst, size);
        java.util.Arrays.fill(dst, size, padded, 0f);
    }

    /** @return the posterior and the noise of the last draw in double precision, for priors without the SIMD path */
    private MeanFieldSample doubleSample() {
        if (muD == null) {
            muD = new double[size];
            sigmaD = new double[size];
            epsD = new double[size];
            gradMuD = new double[size];
            gradSigmaD = new double[size];
        }
        for (int i = 0; i < size; i++) {
            muD[i] = mu[i];
            sigmaD[i] = sigma[i];
            epsD[i] = eps[i];
        }
        return new MeanFieldSample(block, muD, sigmaD, epsD, null, size);
    }
}
