package io.github.dl4jbayes.internal.meanfield;

import io.github.dl4jbayes.internal.StableMath;
import io.github.dl4jbayes.priors.GaussianPrior;
import io.github.dl4jbayes.priors.KlEstimate;
import io.github.dl4jbayes.priors.KlTerm;
import io.github.dl4jbayes.priors.LaplacePrior;
import io.github.dl4jbayes.priors.MeanFieldSample;
import io.github.dl4jbayes.priors.ParameterBlock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SIMD kernel ({@link VectorKernel}) computes what the Java-loop kernel computes, to single precision: sigma, the
 * KL and the completed gradients for every form of the sigma gradient, on the Gaussian SIMD path and on the double
 * fallback for other priors; its noise ({@link VectorNoise}) is standard normal. The block size, 5,003, is not a
 * multiple of any vector length, so the scalar tails are covered.
 */
class VectorKernelTest {
    private static final int N = 5003;
    /** Single precision: a few units in the last place (2^-24 = 6e-8) of the larger terms. */
    private static final double FLOAT_TOLERANCE = 2e-6;

    @org.junit.jupiter.api.BeforeEach
    void needsWideVectors() {
        // narrower SIMD keeps the Java loops by design (VectorSupport), and the kernel would run there as objects
        org.junit.jupiter.api.Assumptions.assumeTrue(VectorSupport.wideEnough(),
                "SIMD narrower than 256 bits: the kernel is off");
    }

    private static INDArray floats(double[] values) {
        return Nd4j.createFromArray(values).castTo(DataType.FLOAT);
    }

    /** rho from -40 to 40 (sigma from 4e-18 to 40), mu in [-2, 2]. */
    private static INDArray[] posterior() {
        double[] mu = new double[N];
        double[] rho = new double[N];
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < N; i++) {
            rho[i] = -40 + 80.0 * i / (N - 1);
            mu[i] = 4 * random.nextDouble() - 2;
        }
        return new INDArray[]{floats(mu), floats(rho)};
    }

    @Test
    void sigmaIsTheStableSoftplusToSinglePrecision() {
        INDArray[] q = posterior();
        double[] sigma = new VectorKernel(ParameterBlock.flat(N), DataType.FLOAT).sigma(q[0], q[1])
                .castTo(DataType.DOUBLE).toDoubleVector();
        for (int i = 0; i < N; i++) {
            double r = q[1].getDouble(i);
            double expected = Math.max(StableMath.softplus(r), StableMath.sigmaFloor(DataType.FLOAT));
            assertEquals(expected, sigma[i], expected * FLOAT_TOLERANCE, "rho = " + r);
        }
    }

    @Test
    void drawIsMeanPlusSigmaTimesStandardNormalNoise() {
        INDArray[] q = posterior();
        INDArray rho = Nd4j.valueArrayOf(new long[]{N}, -1.0, DataType.FLOAT);   // sigma = softplus(-1) = 0.3133
        VectorKernel kernel = new VectorKernel(ParameterBlock.flat(N), DataType.FLOAT);
        kernel.draw(q[0], rho, new SplittableRandom(9), true);
        double[] w = kernel.sampled().castTo(DataType.DOUBLE).toDoubleVector();
        double sigma = StableMath.softplus(-1.0);
        double sum = 0;
        double sumSquares = 0;
        for (int i = 0; i < N; i++) {
            double z = (w[i] - q[0].getDouble(i)) / sigma;
            sum += z;
            sumSquares += z * z;
        }
        double mean = sum / N;
        double variance = sumSquares / N - mean * mean;
        // five standard errors of the mean (1 / sqrt(N)) and of the variance (sqrt(2 / N))
        assertEquals(0.0, mean, 5 / Math.sqrt(N), "mean of eps");
        assertEquals(1.0, variance, 5 * Math.sqrt(2.0 / N), "variance of eps");

        kernel.draw(q[0], rho, new SplittableRandom(9), false);
        double[] perturbation = kernel.sampled().castTo(DataType.DOUBLE).toDoubleVector();
        for (int i = 0; i < N; i++) {
            assertEquals(w[i] - q[0].getDouble(i), perturbation[i], 1e-6, "same seed, same noise; without the mean");
        }
    }

    static KlTerm[] terms() {
        return new KlTerm[]{
                KlTerm.of(new GaussianPrior(0.3, 0.7), KlEstimate.AUTO),                       // the SIMD path
                KlTerm.of(GaussianPrior.perParameter(Nd4j.linspace(-1, 1, N, DataType.DOUBLE), 0.5),
                        KlEstimate.AUTO)};                                                  // the double fallback
    }

    @Test
    void klAndGradientsMatchTheJavaLoopKernel() {
        INDArray[] q = posterior();
        for (KlTerm term : terms()) {
            for (SigmaGradient form : SigmaGradient.values()) {
                for (double klScale : new double[]{0.0, 0.37}) {
                    compareWithJavaLoops(term, form, klScale, q[0], q[1]);
                }
            }
        }
    }

    private static void compareWithJavaLoops(KlTerm term, SigmaGradient form, double klScale, INDArray mu,
                                             INDArray rho) {
        String what = term.prior() + ", " + form + ", KL scale " + klScale;
        VectorKernel vector = new VectorKernel(ParameterBlock.flat(N), DataType.FLOAT);
        JavaLoopKernel loops = new JavaLoopKernel(ParameterBlock.flat(N), DataType.FLOAT, false);
        SplittableRandom data = new SplittableRandom(21);
        double[] g = new double[N];
        double[] h = new double[N];
        for (int i = 0; i < N; i++) {
            g[i] = data.nextGaussian();
            h[i] = data.nextGaussian();
        }
        // the noise of the vector kernel's draw, from the drawn perturbation sigma * eps (exact to single precision)
        vector.draw(mu, rho, new SplittableRandom(3), false);
        double[] eps = noiseOf(vector, mu, rho);
        INDArray vMu = floats(g);
        INDArray vRho = floats(h);
        vector.completeGradient(term, klScale, mu, rho, vMu, vRho, form);
        double klVector = vector.klDivergenceAtDraw(term, mu);

        loops.sigma(mu, rho);
        double klLoops = loops.klDivergence(term, mu, rho);
        // expected gradients from the Java-loop kernel's sigma and sigmoid and the prior's double-precision gradient
        double[] sigma = loops.sigma(mu, rho).castTo(DataType.DOUBLE).toDoubleVector();
        double[] m = mu.castTo(DataType.DOUBLE).toDoubleVector();
        MeanFieldSample sample = new MeanFieldSample(ParameterBlock.flat(N), m, sigma, eps, null, N);
        double[] klMu = new double[N];
        double[] klSigma = new double[N];
        term.addKlGradient(sample, klScale, klMu, klSigma);
        double[] gotMu = vMu.castTo(DataType.DOUBLE).toDoubleVector();
        double[] gotRho = vRho.castTo(DataType.DOUBLE).toDoubleVector();
        for (int i = 0; i < N; i++) {
            double r = rho.getDouble(i);
            double sigmoid = 1 / (1 + Math.exp(-r));
            double dSigma = form == SigmaGradient.FROM_MEAN_GRADIENT ? g[i] * eps[i]
                    : form == SigmaGradient.FROM_PERTURBATION_GRADIENT ? h[i] * eps[i] : h[i] * sigma[i];
            double expectedMu = g[i] + klMu[i];
            double expectedRho = (dSigma + klSigma[i]) * sigmoid;
            assertEquals(expectedMu, gotMu[i], FLOAT_TOLERANCE * (1 + Math.abs(expectedMu)), what + ", dmu " + i);
            // single precision rounds each term of the sum before it is taken: the tolerance is relative to the
            // terms, not to their sum (dL/dsigma = h sigma and the KL's sigma / s^2 nearly cancel at sigma = 40), and
            // the sigmoid scales both (dKL/dsigma = -1/sigma grows to 2.5e17 at rho = -40 and sigmoid shrinks it back)
            double terms = (Math.abs(dSigma) + Math.abs(klSigma[i])) * sigmoid;
            assertEquals(expectedRho, gotRho[i], FLOAT_TOLERANCE * (1 + terms), what + ", drho " + i);
        }
        assertEquals(klLoops, klVector, Math.abs(klLoops) * 1e-6, what + ": KL");
    }

    /** The noise of the kernel's last draw, a perturbation {@code sigma * eps}: {@code eps} to single precision. */
    private static double[] noiseOf(VectorKernel kernel, INDArray mu, INDArray rho) {
        double[] w = kernel.sampled().castTo(DataType.DOUBLE).toDoubleVector();
        // recompute sigma with a second kernel (the first one's buffers hold the draw)
        double[] sigma = new VectorKernel(ParameterBlock.flat(N), DataType.FLOAT).sigma(mu, rho)
                .castTo(DataType.DOUBLE).toDoubleVector();
        double[] eps = new double[N];
        for (int i = 0; i < N; i++) {
            eps[i] = w[i] / sigma[i];
        }
        return eps;
    }

    @Test
    void monteCarloKlUsesTheDrawsNoise() {
        INDArray mu = Nd4j.linspace(-1, 1, N, DataType.FLOAT);
        INDArray rho = Nd4j.valueArrayOf(new long[]{N}, -2.0, DataType.FLOAT);
        KlTerm term = KlTerm.of(new LaplacePrior(0.0, 0.5), KlEstimate.MONTE_CARLO);
        VectorKernel kernel = new VectorKernel(ParameterBlock.flat(N), DataType.FLOAT);
        kernel.draw(mu, rho, new SplittableRandom(4), false);
        double[] eps = noiseOf(kernel, mu, rho);
        double[] sigma = new double[N];
        Arrays.fill(sigma, StableMath.softplus(-2.0));
        double expected = term.klDivergence(new MeanFieldSample(ParameterBlock.flat(N),
                mu.castTo(DataType.DOUBLE).toDoubleVector(), sigma, eps, null, N));
        assertEquals(expected, kernel.klDivergenceAtDraw(term, mu), Math.abs(expected) * 1e-4);
    }

    @Test
    void prunedParametersAreNoticedInThePass() {
        INDArray mu = Nd4j.zeros(DataType.FLOAT, N);
        INDArray rho = Nd4j.valueArrayOf(new long[]{N}, -3.0, DataType.FLOAT);
        VectorKernel kernel = new VectorKernel(ParameterBlock.flat(N), DataType.FLOAT);
        kernel.draw(mu, rho, new SplittableRandom(1), true);
        assertFalse(kernel.readPruned());
        for (int at : new int[]{17, N - 1}) {                   // in the vector loop and in the tail
            INDArray pruned = rho.dup();
            pruned.putScalar(at, io.github.dl4jbayes.internal.meanfield.PrunedParameters.PRUNED_RHO);
            kernel.sigma(mu, pruned);
            assertTrue(kernel.readPruned(), "pruned rho at " + at);
        }
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"HALF", "DOUBLE"})
    void otherTypesAreRejected(DataType type) {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new VectorKernel(ParameterBlock.flat(N), type));
        assertTrue(e.getMessage().contains("FLOAT") && e.getMessage().contains(type.toString()), e.getMessage());
    }

    /**
     * One million normals from one seed: mean, variance, fourth moment and the fraction within one standard deviation
     * within five standard errors of N(0, 1)'s (false alarm ~1e-6 each for a fixed seed that passed once: the test is
     * deterministic); the Kolmogorov-Smirnov distance below its 0.1 % critical value 1.95 / sqrt(n); two seeds give
     * uncorrelated arrays; the same seed, the same array.
     */
    @Test
    void vectorNoiseIsStandardNormal() {
        int n = 1_000_003;
        float[] z = new float[n];
        VectorNoise noise = new VectorNoise();
        noise.fill(z, n, 0x1234_5678_9ABCL);
        double s1 = 0;
        double s2 = 0;
        double s4 = 0;
        int within = 0;
        for (float v : z) {
            s1 += v;
            s2 += (double) v * v;
            s4 += (double) v * v * v * v;
            within += Math.abs(v) < 1 ? 1 : 0;
        }
        assertEquals(0.0, s1 / n, 5 / Math.sqrt(n), "mean");
        assertEquals(1.0, s2 / n, 5 * Math.sqrt(2.0 / n), "variance");
        assertEquals(3.0, s4 / n, 5 * Math.sqrt(96.0 / n), "fourth moment (variance of z^4 is 105 - 9)");
        double p = 0.6826894921370859;
        assertEquals(p, (double) within / n, 5 * Math.sqrt(p * (1 - p) / n), "P(|z| < 1)");

        float[] sorted = z.clone();
        Arrays.sort(sorted);
        double ks = 0;
        for (int i = 0; i < n; i += 101) {
            double cdf = normalCdf(sorted[i]);
            ks = Math.max(ks, Math.max(Math.abs(cdf - (double) i / n), Math.abs(cdf - (double) (i + 1) / n)));
        }
        assertTrue(ks < 1.95 / Math.sqrt(n), "Kolmogorov-Smirnov distance " + ks);

        float[] other = new float[n];
        noise.fill(other, n, 0x1234_5678_9ABDL);
        double cross = 0;
        for (int i = 0; i < n; i++) {
            cross += (double) z[i] * other[i];
        }
        assertEquals(0.0, cross / n, 5 / Math.sqrt(n), "correlation of neighbouring seeds");
        float[] again = new float[n];
        noise.fill(again, n, 0x1234_5678_9ABCL);
        assertArrayEquals(z, again);
        assertNotEquals(z[n - 1], other[n - 1]);
    }

    /** Phi(x) by the complementary error function (Numerical Recipes' erfc, relative error below 1.2e-7). */
    private static double normalCdf(double x) {
        double t = 1.0 / (1.0 + 0.5 * Math.abs(x) / Math.sqrt(2));
        double u = Math.abs(x) / Math.sqrt(2);
        double erfc = t * Math.exp(-u * u - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? 1 - 0.5 * erfc : 0.5 * erfc;
    }
}
