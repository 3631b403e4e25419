package io.github.dl4jbayes.priors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Monte-Carlo KL of {@link MonteCarloKl} and the log densities of every prior: the estimate and its gradient
 * against the closed form in expectation (Gaussian), the gradient at a frozen draw against finite differences (every
 * prior), and each density against its definition.
 */
class MonteCarloKlTest {

    private static final double[] MU = {0.5, -1.2, 0.0, 2.0, 0.05, -0.3};
    private static final double[] SIGMA = {0.1, 0.9, 0.7, 1.5, 0.02, 0.4};

    static List<Prior> priors() {
        return List.of(new GaussianPrior(0.3, 0.7), new ScaleMixturePrior(0.25, 1.0, Math.exp(-6)),
                new ScaleMixturePrior(0.5, 0.3, 2.0), new LaplacePrior(0.1, 0.6), LearnedScalePrior.perLayer(),
                LearnedScalePrior.perLayer().withInverseGammaHyperprior(2.0, 0.5));
    }

    /**
     * The mean of the single-draw estimate, and of its gradient, over 200,000 draws against the closed form: within
     * 4.5 standard errors of the mean, each standard error computed from the same draws.
     */
    @Test
    void gaussianEstimateAndGradientAgreeWithTheClosedFormInExpectation() {
        GaussianPrior prior = new GaussianPrior(0.3, 0.7);
        int n = MU.length;
        MeanFieldSample exact = new MeanFieldSample(MU, SIGMA, new double[n]);
        double kl = prior.klDivergence(exact);
        double[] gMuExact = new double[n];
        double[] gSigmaExact = new double[n];
        prior.addKlGradient(exact, 1.0, gMuExact, gSigmaExact);

        int draws = 200_000;
        SplittableRandom random = new SplittableRandom(42);
        double[] eps = new double[n];
        MeanFieldSample q = new MeanFieldSample(MU, SIGMA, eps);
        Moments klMoments = new Moments(1);
        Moments gradMoments = new Moments(2 * n);
        double[] values = new double[2 * n];
        for (int d = 0; d < draws; d++) {
            for (int i = 0; i < n; i++) {
                eps[i] = random.nextGaussian();
            }
            klMoments.add(new double[]{MonteCarloKl.klDivergence(prior, q)});
            double[] gMu = new double[n];
            double[] gSigma = new double[n];
            MonteCarloKl.addKlGradient(prior, q, 1.0, gMu, gSigma);
            System.arraycopy(gMu, 0, values, 0, n);
            System.arraycopy(gSigma, 0, values, n, n);
            gradMoments.add(values);
        }
        klMoments.assertMean(0, kl, "KL");
        for (int i = 0; i < n; i++) {
            gradMoments.assertMean(i, gMuExact[i], "dKL/dmu_" + i);
            gradMoments.assertMean(n + i, gSigmaExact[i], "dKL/dsigma_" + i);
        }
    }

    /** The learned-scale prior's single-draw estimate has the closed form's mean too (its scale is a function of q). */
    @Test
    void learnedScaleEstimateAgreesWithItsClosedFormInExpectation() {
        for (LearnedScalePrior prior : new LearnedScalePrior[]{LearnedScalePrior.perLayer(),
                LearnedScalePrior.perLayer().withInverseGammaHyperprior(2.0, 0.5)}) {
            double kl = prior.klDivergence(new MeanFieldSample(MU, SIGMA, new double[MU.length]));
            double[] eps = new double[MU.length];
            MeanFieldSample q = new MeanFieldSample(MU, SIGMA, eps);
            SplittableRandom random = new SplittableRandom(5);
            Moments moments = new Moments(1);
            for (int d = 0; d < 200_000; d++) {
                for (int i = 0; i < eps.length; i++) {
                    eps[i] = random.nextGaussian();
                }
                moments.add(new double[]{MonteCarloKl.klDivergence(prior, q)});
            }
            moments.assertMean(0, kl, prior.toString());
        }
    }

    /** At a frozen draw the estimate is a smooth function of mu and sigma: its gradient against central differences. */
    @ParameterizedTest
    @MethodSource("priors")
    void gradientAtAFrozenDrawMatchesFiniteDifferences(Prior prior) {
        double[] eps = {0.3, -0.1, 1.2, 0.7, -2.0, 0.9};
        double[] gMu = new double[MU.length];
        double[] gSigma = new double[MU.length];
        MonteCarloKl.addKlGradient(prior, new MeanFieldSample(MU, SIGMA, eps), 1.5, gMu, gSigma);
        double h = 1e-6;
        for (int i = 0; i < MU.length; i++) {
            double[] muPlus = MU.clone();
            double[] muMinus = MU.clone();
            muPlus[i] += h;
            muMinus[i] -= h;
            double numericMu = 1.5 * (mc(prior, muPlus, SIGMA, eps) - mc(prior, muMinus, SIGMA, eps)) / (2 * h);
            double[] sPlus = SIGMA.clone();
            double[] sMinus = SIGMA.clone();
            sPlus[i] += h;
            sMinus[i] -= h;
            double numericSigma = 1.5 * (mc(prior, MU, sPlus, eps) - mc(prior, MU, sMinus, eps)) / (2 * h);
            assertEquals(numericMu, gMu[i], 1e-5 * Math.max(1, Math.abs(numericMu)), prior + " dmu_" + i);
            assertEquals(numericSigma, gSigma[i], 1e-5 * Math.max(1, Math.abs(numericSigma)), prior + " dsigma_" + i);
        }
    }

    private static double mc(Prior prior, double[] mu, double[] sigma, double[] eps) {
        return MonteCarloKl.klDivergence(prior, new MeanFieldSample(mu, sigma, eps));
    }

    /** Each log density against its definition, at weights from the tails to the centre. */
    @Test
    void logDensitiesMatchTheirDefinitions() {
        double[] w = {-30, -2.5, -0.01, 0, 1e-4, 0.7, 4, 50};
        double[] zero = new double[w.length];
        double[] one = new double[w.length];
        java.util.Arrays.fill(one, 1.0);
        ScaleMixturePrior mixture = new ScaleMixturePrior(0.3, 1.5, 0.01);
        LaplacePrior laplace = new LaplacePrior(0.2, 0.8);
        for (double x : w) {
            double expectedMixture = Math.log(0.3 * normal(x, 1.5) + 0.7 * normal(x, 0.01));
            if (Double.isFinite(expectedMixture)) {
                assertEquals(expectedMixture, mixture.logDensity(x), 1e-12 * Math.max(1, Math.abs(expectedMixture)), "mixture at " + x);
            } else {
                // far in the tails both densities underflow; the log-sum-exp stays finite and is the wide component's
                assertEquals(Math.log(0.3) + Math.log(normal(0, 1.5)) - 0.5 * x * x / 2.25, mixture.logDensity(x), 1e-9);
            }
            double h = 1e-6;
            assertEquals((mixture.logDensity(x + h) - mixture.logDensity(x - h)) / (2 * h), mixture.dLogDensity(x),
                    1e-5 * Math.max(1, Math.abs(mixture.dLogDensity(x))), "mixture slope at " + x);
            MeanFieldSample at = new MeanFieldSample(new double[]{x}, new double[]{1}, new double[1]);
            assertEquals(-Math.log(1.6) - Math.abs(x - 0.2) / 0.8, laplace.logDensity(at), 1e-12, "laplace at " + x);
        }
        // densities integrate to one (trapezoid on a fine grid)
        assertEquals(1.0, integrate(x -> Math.exp(mixture.logDensity(x)), -20, 20, 2_000_001), 1e-6);
        assertEquals(1.0, integrate(x -> Math.exp(laplace.logDensity(new MeanFieldSample(new double[]{x}, new double[]{1},
                new double[1]))), -40, 40, 2_000_001), 1e-6);
        GaussianPrior gaussian = new GaussianPrior(0.3, 0.7);
        assertEquals(Math.log(normal(1.0 - 0.3, 0.7)), gaussian.logDensity(new MeanFieldSample(new double[]{1.0},
                new double[]{1}, new double[1])), 1e-12);
    }

    private static double normal(double x, double s) {
        return Math.exp(-0.5 * (x / s) * (x / s)) / (s * Math.sqrt(2 * Math.PI));
    }

    private static double integrate(java.util.function.DoubleUnaryOperator f, double a, double b, int points) {
        double h = (b - a) / (points - 1);
        double sum = 0.5 * (f.applyAsDouble(a) + f.applyAsDouble(b));
        for (int i = 1; i < points - 1; i++) {
            sum += f.applyAsDouble(a + i * h);
        }
        return sum * h;
    }

    /** Running means and variances of a vector of statistics. */
    private static final class Moments {
        private final double[] sum;
        private final double[] sumSq;
        private long count;

        Moments(int n) {
            sum = new double[n];
            sumSq = new double[n];
        }

        void add(double[] values) {
            for (int i = 0; i < sum.length; i++) {
                sum[i] += values[i];
                sumSq[i] += values[i] * values[i];
            }
            count++;
        }

        void assertMean(int i, double expected, String what) {
            double mean = sum[i] / count;
            double se = Math.sqrt(Math.max(sumSq[i] / count - mean * mean, 0) / count);
            assertTrue(Math.abs(mean - expected) <= 4.5 * se + 1e-12,
                    what + ": Monte Carlo " + mean + " +- " + se + " vs closed form " + expected);
        }
    }
}
